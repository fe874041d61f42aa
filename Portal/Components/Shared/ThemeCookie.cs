namespace Tessera.Portal.Components.Shared;

/// <summary>The light/dark choice, kept in a cookie so the first render of every page already has it.</summary>
public static class ThemeCookie
{
    public const string Name = "tessera-theme";
    public const string Dark = "dark";
    public const string Light = "light";
}
