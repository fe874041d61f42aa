// Tessera's service worker: makes the security center installable, shows pushed approval requests as notifications,
// and opens the approval page when one is tapped. The payload was encrypted to this browser (RFC 8291); the push
// service never saw it.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// What a notification says: the request, and the time in this device's own time zone.
function describe(data) {
    const at = typeof data.at === 'number'
        ? new Date(data.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
        : null;
    return [data.body, at ? `at ${at}` : null].filter(Boolean).join(' · ');
}

self.addEventListener('push', (event) => {
    let data = {};
    try {
        data = event.data ? event.data.json() : {};
    } catch {
        data = { body: event.data ? event.data.text() : '' };
    }
    // A request that can no longer be answered is not shown: nothing could come of tapping it.
    if (typeof data.expiresAt === 'number' && data.expiresAt < Date.now()) {
        return;
    }
    event.waitUntil(self.registration.showNotification(data.title || 'Tessera', {
        body: describe(data),
        tag: data.tag,
        icon: '/icon-192.png',
        badge: '/icon-192.png',
        requireInteraction: true,
        data: { url: data.url || '/security' },
    }));
});

self.addEventListener('notificationclick', (event) => {
    event.notification.close();
    // Only ever a page of this site, whatever the payload says.
    const url = new URL(event.notification.data?.url || '/security', self.location.origin);
    if (url.origin !== self.location.origin) {
        return;
    }
    event.waitUntil((async () => {
        const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
        const open = windows.find((client) => client.url === url.href);
        if (open) {
            await open.focus();
            return;
        }
        await self.clients.openWindow(url.href);
    })());
});
