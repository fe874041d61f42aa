using MudBlazor;

namespace Tessera.Portal.Components.Layout;

public static class TesseraTheme
{
    public static readonly MudTheme Theme = new()
    {
        // Every colour pair that carries text meets WCAG's 4.5:1 (white on the light colours' fills, near-black on the
        // dark mode's), measured: primary 8.7, secondary 6.6, success 5.1, error 5.6, warning 6.3, info 5.8 in light
        // mode; 8.3 and up in dark mode, where the same colours also read as text on the dark surface (5.8 and up), and
        // secondary text is 6.0 (MudBlazor's default, 4.25, is not enough). axe-core checks every page in both modes.
        PaletteLight = new PaletteLight
        {
            Primary = "#2f4b7c",
            Secondary = "#00695c",
            Success = "#2e7d32",
            Error = "#c62828",
            Warning = "#9a4a00",
            Info = "#1565c0",
            AppbarBackground = "#2f4b7c",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8fb3ff",
            PrimaryContrastText = "#0b1a33",
            Secondary = "#4db6ac",
            SecondaryContrastText = "#000000",
            Success = "#81c784",
            SuccessContrastText = "#000000",
            Error = "#ef9a9a",
            ErrorContrastText = "#000000",
            Warning = "#ffb74d",
            WarningContrastText = "#000000",
            Info = "#90caf9",
            InfoContrastText = "#000000",
            // Alerts write their text in the "darken" shade; on the dark surface it must be lighter, not darker.
            SuccessDarken = "#a5d6a7",
            ErrorDarken = "#f6b3b3",
            WarningDarken = "#ffcc80",
            InfoDarken = "#bbdefb",
            TextSecondary = "#b8b8bd",
            TableStriped = "rgba(255,255,255,0.05)",
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
