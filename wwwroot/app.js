// Small helpers called from Blazor components.
window.tessera = {
    // Remembers the light/dark choice so the server renders the next page in it from the first byte.
    setTheme(mode) {
        document.cookie = `tessera-theme=${mode === 'dark' ? 'dark' : 'light'}; path=/; max-age=31536000; samesite=lax`;
    },
};

window.tessera.copyText = (text) => navigator.clipboard.writeText(text);
