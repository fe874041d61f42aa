using System.ComponentModel.DataAnnotations;

namespace Tessera.Portal.Hosting;

/// <summary>The <c>Tessera</c> section: settings of the product as a whole.</summary>
public sealed class TesseraOptions
{
    public const string Section = "Tessera";

    /// <summary>Where the SQLite files live; relative paths are taken from the working directory.</summary>
    [Required(ErrorMessage = "Tessera:DataDirectory must name a folder.")]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Shown in the app bar, in emails, and (later) as the issuer in authenticator apps.</summary>
    [Required(ErrorMessage = "Tessera:ApplicationName must not be empty."), StringLength(64)]
    public string ApplicationName { get; set; } = "Tessera";

    /// <summary>
    /// The address people reach Tessera at (<c>https://id.example.com</c>): the only source of every emailed or shown
    /// absolute link, of the allowed <c>Host</c> and of the allowed <c>Origin</c>. Required outside Development.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>
    /// Where the app listens when no standard setting (<c>--urls</c>, <c>Urls</c>, <c>ASPNETCORE_URLS</c>,
    /// <c>ASPNETCORE_HTTP_PORTS</c>, <c>Kestrel:Endpoints</c>) says; see <see cref="ListenAddresses"/>.
    /// </summary>
    public string DefaultUrls { get; set; } = ListenAddresses.BuiltInDefault;

    public string DataDirectoryFullPath => Path.GetFullPath(DataDirectory);
}
