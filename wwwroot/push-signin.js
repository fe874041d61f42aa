// The push sign-in pages' wait for the device (see approval-wait.js): the second step and the passwordless one.
import { waitForApproval } from './approval-wait.js';

const root = document.querySelector('[data-push-request]');
if (root) {
    const id = root.dataset.pushRequest;
    const query = new URLSearchParams({ returnUrl: root.dataset.returnUrl ?? '', rememberMe: root.dataset.rememberMe ?? 'false', mode: root.dataset.mode ?? 'second-step' });
    waitForApproval({
        root,
        statusUrl: `/push/approvals/${id}`,
        redeemUrl: `/push/approvals/${id}/redeem?${query}`,
        messages: {
            pending: 'Waiting for you to approve on your device.',
            approved: 'Approved on your device. Signing you in…',
            denied: 'Denied on your device, or the number did not match. This request is over; send a new one to try again.',
            expired: 'This request has expired. Send a new one.',
            redeemed: 'This request was already used. Send a new one.',
        },
        expiredText: 'This request has expired.',
        goneText: 'This request is not valid in this browser any more. Send a new one.',
        remainingText: (left) => `This request works for ${left} more seconds.`,
    });
}
