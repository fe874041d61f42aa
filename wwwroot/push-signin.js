// The push sign-in page: counts down, polls the request's status (kept in the database, so any node can answer), and
// on approval navigates to the redeem endpoint, whose response sets the sign-in cookie.
(() => {
    const root = document.querySelector('[data-push-request]');
    if (!root) {
        return;
    }
    const id = root.dataset.pushRequest;
    const status = root.querySelector('[data-testid="push-status"]');
    const countdown = root.querySelector('[data-testid="push-countdown"]');
    const deadline = Date.now() + Number(root.dataset.secondsLeft) * 1000;
    const messages = {
        pending: 'Waiting for you to approve on your device.',
        approved: 'Approved on your device. Signing you in…',
        denied: 'Denied on your device, or the number did not match. This request is over; send a new one to try again.',
        expired: 'This request has expired. Send a new one.',
        redeemed: 'This request was already used. Send a new one.',
    };
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
        countdown.textContent = left > 0 ? `This request works for ${left} more seconds.` : 'This request has expired.';
    };

    const poll = async () => {
        if (done) {
            return;
        }
        try {
            const response = await fetch(`/push/approvals/${id}`, { credentials: 'same-origin', cache: 'no-store' });
            if (!response.ok) {
                done = true;
                show('This request is not valid in this browser any more. Send a new one.', 'gone');
                return;
            }
            const { status: state } = await response.json();
            show(messages[state] ?? state, state);
            if (state === 'approved') {
                done = true;
                const query = new URLSearchParams({ returnUrl: root.dataset.returnUrl ?? '', rememberMe: root.dataset.rememberMe ?? 'false', mode: root.dataset.mode ?? 'second-step' });
                window.location.assign(`/push/approvals/${id}/redeem?${query}`);
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
})();
