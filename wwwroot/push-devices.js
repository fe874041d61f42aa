// The security center's push devices: asks the browser's permission, subscribes with the server's VAPID key and
// registers the subscription with Tessera (POST /security/push/subscriptions, antiforgery header, the sign-in cookie).

const fromBase64Url = (text) => {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
};

const toBase64Url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

// What this browser can do, for the page to offer only what works here.
export function support() {
    const push = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
    return {
        push,
        permission: 'Notification' in window ? Notification.permission : 'unsupported',
        installable: !!(window.tessera && window.tessera.installPrompt),
        installed: window.matchMedia('(display-mode: standalone)').matches || navigator.standalone === true,
    };
}

// Shows the browser's own install dialog; true when the person accepted.
export async function install() {
    const prompt = window.tessera && window.tessera.installPrompt;
    if (!prompt) {
        return false;
    }
    window.tessera.installPrompt = null;
    await prompt.prompt();
    const choice = await prompt.userChoice;
    return choice.outcome === 'accepted';
}

export async function enable(vapidPublicKey, antiforgeryToken, name, stepUp) {
    try {
        const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
        await navigator.serviceWorker.ready;
        const permission = await Notification.requestPermission();
        if (permission !== 'granted') {
            return { ok: false, message: 'Notifications are blocked for this site. Allow them in your browser settings, then try again.' };
        }
        let subscription = await registration.pushManager.getSubscription();
        // A subscription made with another key (before a key rotation) cannot be signed for any more: make a new one.
        const key = subscription && subscription.options && subscription.options.applicationServerKey;
        if (subscription && key && toBase64Url(key) !== vapidPublicKey) {
            await subscription.unsubscribe();
            subscription = null;
        }
        if (!subscription) {
            subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(vapidPublicKey) });
        }
        const json = subscription.toJSON();
        const response = await fetch('/security/push/subscriptions', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'RequestVerificationToken': antiforgeryToken },
            credentials: 'same-origin',
            body: JSON.stringify({ endpoint: json.endpoint, keys: json.keys, name, stepUp }),
        });
        let payload = {};
        try { payload = await response.json(); } catch { /* a problem without a body */ }
        return response.ok
            ? { ok: true, outcome: payload.outcome, recoveryCodes: payload.recoveryCodes || null, status: response.status }
            : { ok: false, message: payload.detail || 'This device could not be registered. Try again.', status: response.status };
    } catch (error) {
        return { ok: false, message: `This browser could not subscribe to notifications (${error && error.message ? error.message : error}).` };
    }
}
