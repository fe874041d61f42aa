namespace Tessera.Portal.Tests.Browser;

/// <summary>Scripts the layout checks run in a page.</summary>
internal static class PageLayout
{
    /// <summary>What sticks out furthest to the right: the element to fix when a page is too wide.</summary>
    public const string WidestElementScript = """
        () => {
            let worst = null, right = window.innerWidth;
            for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect().right;
                if (r > right + 0.5) { right = r; worst = el; }
            }
            if (!worst) {
                // Nothing's box sticks out: then an element's content overflows it (and is not clipped).
                let spill = null, most = 0;
                for (const el of document.body.querySelectorAll('*')) {
                    const over = el.scrollWidth - el.clientWidth;
                    if (over > most && getComputedStyle(el).overflowX === 'visible') { most = over; spill = el; }
                }
                if (!spill) return 'nothing visible sticks out';
                const c = typeof spill.className === 'string' ? spill.className.split(' ').slice(0, 3).join('.') : '';
                return `${spill.tagName.toLowerCase()}${c ? '.' + c : ''} overflows its box by ${most} px: "${(spill.innerText || '').slice(0, 40).replace(/\s+/g, ' ')}"`;
            }
            const cls = typeof worst.className === 'string' ? worst.className.split(' ').slice(0, 3).join('.') : '';
            return `${worst.tagName.toLowerCase()}${cls ? '.' + cls : ''} ends at ${Math.round(right)} px: "${(worst.innerText || '').slice(0, 40).replace(/\s+/g, ' ')}"`;
        }
        """;
}
