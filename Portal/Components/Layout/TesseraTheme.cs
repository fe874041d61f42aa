using MudBlazor;

namespace Tessera.Portal.Components.Layout;

public static class TesseraTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#2f4b7c",
            Secondary = "#00897b",
            AppbarBackground = "#2f4b7c",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8fb3ff",
            Secondary = "#4db6ac",
        },
        // System fonts: the app works offline and sends no request to a font CDN.
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
            },
        },
    };
}
