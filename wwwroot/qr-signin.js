// The QR sign-in page: counts down, polls the session's status (kept in the database, so any node can answer),
// and on approval navigates to the redeem endpoint, whose response sets the sign-in cookie.
(() => {
    const root = document.querySelector('[data-qr-session]');
    if (!root) {
        return;
    }
    const id = root.dataset.qrSession;
    const status = root.querySelector('[data-testid="qr-status"]');
    const countdown = root.querySelector('[data-testid="qr-countdown"]');
    const deadline = Date.now() + Number(root.dataset.secondsLeft) * 1000;
    const messages = {
        pending: 'Waiting for your phone to scan the code.',
        scanned: 'Scanned. Type the number shown here on your phone.',
        approved: 'Approved on your phone. Signing you in…',
        denied: 'Denied on your phone. This code no longer works; get a new code to try again.',
        expired: 'This code has expired. Get a new code.',
        redeemed: 'This code was already used. Get a new code.',
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
        countdown.textContent = left > 0 ? `This code works for ${left} more seconds.` : 'This code has expired.';
    };

    const poll = async () => {
        if (done) {
            return;
        }
        try {
            const response = await fetch(`/qr/sessions/${id}`, { credentials: 'same-origin', cache: 'no-store' });
            if (!response.ok) {
                done = true;
                show('This code is not valid in this browser any more. Get a new code.', 'gone');
                return;
            }
            const { status: state } = await response.json();
            show(messages[state] ?? state, state);
            if (state === 'approved') {
                done = true;
                window.location.assign(`/qr/sessions/${id}/redeem?returnUrl=${encodeURIComponent(root.dataset.returnUrl ?? '')}`);
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
