// The two cookies the scripts write (the theme and the time zone) are Secure whenever the page is, like the server's.
const cookieFlags = `path=/; max-age=31536000; samesite=lax${location.protocol === 'https:' ? '; secure' : ''}`;

// Small helpers called from Blazor components.
window.tessera = {
    // Remembers the light/dark choice so the server renders the next page in it from the first byte.
    setTheme(mode) {
        document.cookie = `tessera-theme=${mode === 'dark' ? 'dark' : 'light'}; ${cookieFlags}`;
    },
};

// Remembers the reader's time zone so that the server writes times in it ("14:05", not "13:05 UTC").
(() => {
    try {
        const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        if (zone && !document.cookie.split('; ').includes(`tessera-tz=${encodeURIComponent(zone)}`)) {
            document.cookie = `tessera-tz=${encodeURIComponent(zone)}; ${cookieFlags}`;
        }
    } catch {
        // No Intl time zone: times stay in UTC, and say so.
    }
})();

// The circuit is up: prerendered buttons now have their handlers.
window.tessera.interactive = () => document.body.classList.remove('t-prerendered');

window.tessera.copyText = (text) => navigator.clipboard.writeText(text);

// <time data-local-time datetime="…"> elements are rendered in UTC by the server; show them in the reader's time zone.
window.tessera.localTimes = () => {
    for (const el of document.querySelectorAll('time[data-local-time]')) {
        const at = new Date(el.getAttribute('datetime'));
        if (!Number.isNaN(at.getTime())) {
            // data-local-time="date": a day away or more, so the date is part of it.
            el.textContent = el.dataset.localTime === 'date'
                ? at.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })
                : at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
        }
    }
};
document.addEventListener('DOMContentLoaded', window.tessera.localTimes);
if (window.Blazor) {
    window.Blazor.addEventListener('enhancedload', window.tessera.localTimes);
}

// A button with data-cooldown-until="<ISO time>" stays disabled until then, counting the seconds down.
window.tessera.cooldowns = () => {
    for (const button of document.querySelectorAll('[data-cooldown-until]')) {
        if (button.dataset.counting) continue;
        button.dataset.counting = '1';
        const until = new Date(button.dataset.cooldownUntil).getTime();
        const seconds = button.querySelector('[data-cooldown-seconds]');
        const tick = () => {
            const left = Math.ceil((until - Date.now()) / 1000);
            if (left > 0) {
                if (seconds) seconds.textContent = String(left);
                setTimeout(tick, 250);
                return;
            }
            button.disabled = false;
            button.classList.remove('mud-disabled');
            button.removeAttribute('data-cooldown-until');
            const label = button.querySelector('.mud-button-label') || button;
            label.textContent = 'Send a new code';
        };
        tick();
    }
};
document.addEventListener('DOMContentLoaded', window.tessera.cooldowns);
if (window.Blazor) {
    window.Blazor.addEventListener('enhancedload', window.tessera.cooldowns);
}

// Installable app: the service worker (wwwroot/sw.js) on every page, and the browser's install offer kept for the
// security center's "Install Tessera on this device" button (the event fires once, early, on whatever page is open).
if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
        // No service worker (a private window, a policy): the pages work as before, without push.
    });
}
window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    window.tessera.installPrompt = event;
    document.dispatchEvent(new CustomEvent('tessera:installable'));
});

// WebOTP: where the browser supports it (Chrome on Android), a texted code's field is filled from the SMS, whose last
// line is "@<host> #<code>", and its form submitted. Elsewhere nothing happens and the field is typed in as before.
(() => {
    if (!('OTPCredential' in window)) {
        return;
    }
    const wired = new WeakSet();
    const wire = () => {
        for (const input of document.querySelectorAll('input[data-webotp="sms"]')) {
            if (wired.has(input)) {
                continue;
            }
            wired.add(input);
            const abort = new AbortController();
            // Stop listening once the field is gone (the page moved on) or its form was sent by hand.
            const watch = new MutationObserver(() => { if (!input.isConnected) { abort.abort(); watch.disconnect(); } });
            watch.observe(document.body, { childList: true, subtree: true });
            input.form?.addEventListener('submit', () => abort.abort(), { once: true });
            navigator.credentials.get({ otp: { transport: ['sms'] }, signal: abort.signal }).then((otp) => {
                if (!otp || !otp.code || !input.isConnected) {
                    return;
                }
                input.value = otp.code;
                input.dispatchEvent(new Event('input', { bubbles: true }));
                input.dispatchEvent(new Event('change', { bubbles: true }));
                const button = input.dataset.webotpSubmit ? document.querySelector(input.dataset.webotpSubmit) : null;
                if (button) {
                    button.click();
                } else if (input.form) {
                    input.form.requestSubmit();
                }
            }).catch(() => {
                // Aborted, refused or timed out: the person types the code.
            });
        }
    };
    wire();
    new MutationObserver(wire).observe(document.documentElement, { childList: true, subtree: true });
})();
