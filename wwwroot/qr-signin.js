// The QR sign-in page's wait for the phone (see approval-wait.js).
import { waitForApproval } from './approval-wait.js';

const root = document.querySelector('[data-qr-session]');
if (root) {
    const id = root.dataset.qrSession;
    waitForApproval({
        root,
        statusUrl: `/qr/sessions/${id}`,
        redeemUrl: `/qr/sessions/${id}/redeem?returnUrl=${encodeURIComponent(root.dataset.returnUrl ?? '')}`,
        messages: {
            pending: 'Waiting for your phone to scan the code.',
            scanned: 'Scanned. Type the number shown here on your phone.',
            approved: 'Approved on your phone. Signing you in…',
            denied: 'Denied on your phone. This code no longer works; get a new code to try again.',
            expired: 'This code has expired. Get a new code.',
            redeemed: 'This code was already used. Get a new code.',
        },
        expiredText: 'This code has expired.',
        goneText: 'This code is not valid in this browser any more. Get a new code.',
        remainingText: (left) => `This code works for ${left} more seconds.`,
    });
}
