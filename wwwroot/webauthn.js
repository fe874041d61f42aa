// Tessera's wrapper around navigator.credentials (WebAuthn). The server sends options as JSON with binary fields
// in base64url; the browser API wants ArrayBuffers, and the server wants the response back as base64url JSON.

const toBuffer = (value) => {
    const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64.padEnd(Math.ceil(base64.length / 4) * 4, '=');
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
};

const toBase64Url = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const descriptors = (list) => (list || []).map((c) => ({ ...c, id: toBuffer(c.id) }));

// What went wrong, in words a person understands. Browsers report "cancelled" and "timed out" alike as
// NotAllowedError on purpose (privacy), so the message covers both.
const describe = (error) => {
    switch (error && error.name) {
        case 'NotAllowedError':
            return { error: 'not-allowed', message: 'The passkey request was cancelled or timed out. Try again when you are ready.' };
        case 'AbortError':
            return { error: 'cancelled', message: 'The passkey request was cancelled.' };
        case 'InvalidStateError':
            return { error: 'invalid-state', message: 'This authenticator already holds a passkey for your account.' };
        case 'NotSupportedError':
            return { error: 'not-supported', message: 'This browser or authenticator does not support the kind of passkey Tessera asks for.' };
        case 'SecurityError':
            return { error: 'security', message: 'The browser refused: this site address is not allowed to use passkeys for Tessera.' };
        default:
            return { error: 'unknown', message: 'The passkey request failed. Try again, or use another way to sign in.' };
    }
};

// The credential as the server reads it: the common fields plus the ceremony's own response, binary as base64url.
const serialize = (credential, response) => ({
    ok: true,
    json: JSON.stringify({
        id: credential.id,
        rawId: toBase64Url(credential.rawId),
        type: credential.type,
        clientExtensionResults: credential.getClientExtensionResults(),
        response,
    }),
});

export function isSupported() {
    return typeof window.PublicKeyCredential === 'function';
}

export async function create(optionsJson) {
    if (!isSupported()) return { ok: false, ...describe({ name: 'NotSupportedError' }) };
    try {
        const options = JSON.parse(optionsJson);
        options.challenge = toBuffer(options.challenge);
        options.user.id = toBuffer(options.user.id);
        options.excludeCredentials = descriptors(options.excludeCredentials);
        const credential = await navigator.credentials.create({ publicKey: options });
        return serialize(credential, {
            attestationObject: toBase64Url(credential.response.attestationObject),
            clientDataJSON: toBase64Url(credential.response.clientDataJSON),
            transports: credential.response.getTransports ? credential.response.getTransports() : [],
        });
    } catch (error) {
        return { ok: false, ...describe(error) };
    }
}

let pending = null;

export async function get(optionsJson, mediation) {
    if (!isSupported()) return { ok: false, ...describe({ name: 'NotSupportedError' }) };
    if (pending) pending.abort();
    pending = new AbortController();
    try {
        const options = JSON.parse(optionsJson);
        options.challenge = toBuffer(options.challenge);
        options.allowCredentials = descriptors(options.allowCredentials);
        const request = { publicKey: options, signal: pending.signal };
        if (mediation) request.mediation = mediation;
        const credential = await navigator.credentials.get(request);
        return serialize(credential, {
            authenticatorData: toBase64Url(credential.response.authenticatorData),
            clientDataJSON: toBase64Url(credential.response.clientDataJSON),
            signature: toBase64Url(credential.response.signature),
            userHandle: credential.response.userHandle ? toBase64Url(credential.response.userHandle) : null,
        });
    } catch (error) {
        return { ok: false, ...describe(error) };
    }
}

// Sign-in pages render without a circuit, so they talk to the /webauthn endpoints with fetch; the endpoint
// sets the sign-in cookie and says where to go next.
const post = async (url, body, token) => {
    const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'RequestVerificationToken': token },
        body: JSON.stringify(body),
        credentials: 'same-origin',
    });
    let payload = {};
    try { payload = await response.json(); } catch { /* a problem without a body */ }
    return { ok: response.ok, payload };
};

async function signIn(form, mode, mediation) {
    const token = form.querySelector('input[name="__RequestVerificationToken"]').value;
    const status = form.querySelector('[data-passkey-status]');
    const show = (text) => { if (status) { status.textContent = text; status.hidden = !text; } };
    const returnUrl = form.dataset.returnUrl || '';
    const shared = form.dataset.rememberFrom ? document.getElementById(form.dataset.rememberFrom) : null;
    const rememberBrowser = !!shared && shared.checked;
    show('');
    const options = await post('/webauthn/assertion/options', { mode }, token);
    if (!options.ok) { show(options.payload.detail || 'Passkey sign-in is not available right now.'); return; }
    const result = await get(options.payload.options, mediation);
    if (!result.ok) { if (!mediation) show(result.message); return; }
    const verified = await post('/webauthn/assertion', { mode, challengeId: options.payload.challengeId, response: result.json, returnUrl, rememberBrowser }, token);
    if (verified.payload.redirect) { window.location.assign(verified.payload.redirect); return; }
    show(verified.payload.detail || 'That passkey could not sign you in.');
}

// Wires every <form data-passkey-mode="..."> on the page: its button starts the ceremony; on the password page
// a conditional (autofill) request also waits quietly for a passkey chosen from the username field.
export function wire() {
    for (const form of document.querySelectorAll('form[data-passkey-mode]')) {
        if (form.dataset.wired) continue;
        form.dataset.wired = 'true';
        const mode = form.dataset.passkeyMode;
        form.addEventListener('submit', (event) => { event.preventDefault(); signIn(form, mode); });
        if (mode === 'passwordless' && isSupported() && PublicKeyCredential.isConditionalMediationAvailable) {
            PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
                if (available) signIn(form, mode, 'conditional');
            });
        }
    }
}

wire();
// Blazor's enhanced navigation swaps page content without a load event: wire the new forms too.
if (window.Blazor && typeof window.Blazor.addEventListener === 'function') {
    window.Blazor.addEventListener('enhancedload', wire);
}
