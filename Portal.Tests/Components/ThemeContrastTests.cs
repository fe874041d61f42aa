using System.Globalization;
using MudBlazor;
using MudBlazor.Utilities;
using Tessera.Portal.Components.Layout;

namespace Tessera.Portal.Tests.Components;

/// <summary>WCAG 2.x contrast of the theme's text colours on what they are drawn on, in both modes: at least 4.5:1.</summary>
public sealed class ThemeContrastTests
{
    public static TheoryData<string, string, string> Pairs()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (mode, palette) in new (string, Palette)[] { ("light", TesseraTheme.Theme.PaletteLight), ("dark", TesseraTheme.Theme.PaletteDark) })
        {
            // Filled buttons, chips and snackbars: contrast text on the colour.
            data.Add($"{mode} primary", palette.PrimaryContrastText.Value, palette.Primary.Value);
            data.Add($"{mode} secondary", palette.SecondaryContrastText.Value, palette.Secondary.Value);
            data.Add($"{mode} success", palette.SuccessContrastText.Value, palette.Success.Value);
            data.Add($"{mode} error", palette.ErrorContrastText.Value, palette.Error.Value);
            data.Add($"{mode} warning", palette.WarningContrastText.Value, palette.Warning.Value);
            data.Add($"{mode} info", palette.InfoContrastText.Value, palette.Info.Value);
            // Text, links and outlined controls on the page's surface.
            data.Add($"{mode} text", palette.TextPrimary.Value, palette.Surface.Value);
            data.Add($"{mode} secondary text", palette.TextSecondary.Value, palette.Surface.Value);
            data.Add($"{mode} link", palette.Primary.Value, palette.Surface.Value);
            data.Add($"{mode} error text", palette.Error.Value, palette.Surface.Value);
            data.Add($"{mode} app bar", palette.PrimaryContrastText.Value, palette.Primary.Value);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void TextColour_OnItsBackground_IsAtLeast4point5To1(string what, string foreground, string background)
    {
        var ratio = Contrast(new MudColor(foreground), new MudColor(background));

        Assert.True(ratio >= 4.5, $"{what}: {foreground} on {background} is {ratio.ToString("0.00", CultureInfo.InvariantCulture)}:1");
    }

    [Fact]
    public void Contrast_MatchesTheWcagExamples()
    {
        Assert.Equal(21.0, Contrast(new MudColor("#000000"), new MudColor("#ffffff")), 2);
        Assert.Equal(4.54, Contrast(new MudColor("#767676"), new MudColor("#ffffff")), 2);
    }

    /// <summary>WCAG 2.x: (L1 + 0.05) / (L2 + 0.05) of the relative luminances; a translucent colour is laid on the background first.</summary>
    private static double Contrast(MudColor foreground, MudColor background)
    {
        var alpha = foreground.A / 255.0;
        double Blend(byte f, byte b) => f * alpha + b * (1 - alpha);
        var fg = Luminance(Blend(foreground.R, background.R), Blend(foreground.G, background.G), Blend(foreground.B, background.B));
        var bg = Luminance(background.R, background.G, background.B);
        return (Math.Max(fg, bg) + 0.05) / (Math.Min(fg, bg) + 0.05);
    }

    private static double Luminance(double r, double g, double b)
    {
        static double Channel(double c)
        {
            c /= 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * Channel(r) + 0.7152 * Channel(g) + 0.0722 * Channel(b);
    }
}
