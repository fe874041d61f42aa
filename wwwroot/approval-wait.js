// The waiting screens of QR and push sign-in: counts down, polls the request's status (kept in the database, so any
// node can answer) every second, and once it is approved navigates to the redeem endpoint, whose response sets the
// sign-in cookie. Each page gives its own words and addresses.
export function waitForApproval({ root, statusUrl, redeemUrl, messages, expiredText, goneText, remainingText }) {
    const status = root.querySelector('[role="status"]');
    const countdown = root.querySelector('[data-countdown]');
    const deadline = Date.now() + Number(root.dataset.secondsLeft) * 1000;
    let done = false;

    const show = (text, state) => {
        status.textContent = text;
        status.dataset.state = state;
    };

    const tick = () => {
        if (done) {
            return;
        }
        const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
        countdown.textContent = left > 0 ? remainingText(left) : expiredText;
    };

    const poll = async () => {
        if (done) {
            return;
        }
        try {
            const response = await fetch(statusUrl, { credentials: 'same-origin', cache: 'no-store' });
            if (!response.ok) {
                done = true;
                show(goneText, 'gone');
                return;
            }
            const { status: state } = await response.json();
            show(messages[state] ?? state, state);
            if (state === 'approved') {
                done = true;
                window.location.assign(redeemUrl);
                return;
            }
            if (state === 'denied' || state === 'expired' || state === 'redeemed') {
                done = true;
                countdown.textContent = '';
                return;
            }
        } catch {
            // A dropped request (network blip, node restart): the next poll tries again.
        }
        setTimeout(poll, 1000);
    };

    setInterval(tick, 1000);
    tick();
    setTimeout(poll, 1000);
}
