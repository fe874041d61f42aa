using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Fido2NetLib;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>Registration with an allow-list and a metadata BLOB: the model must be proven by attestation, and certified.</summary>
public sealed class VerifiedModelRegistrationTests : PasskeyTestBase, IDisposable
{
    private static readonly Guid CertifiedKey = Guid.Parse("0bb43545-fd2c-4185-87dd-feb0b2916ace");
    private static readonly Guid RevokedKey = Guid.Parse("c1f9a0bc-1dd2-404a-b27f-8e29047a43fd");
    private static readonly Guid UncertifiedKey = Guid.Parse("5fdb81b8-53f0-4967-a881-f5ec26fe4d18");

    private readonly TestMetadata mds = TestMetadata.Create();

    public void Dispose() => mds.Dispose();

    [Fact]
    public async Task BeginRegistration_WithAllowListAndBlob_AsksForDirectAttestation()
    {
        passkeys = Verifying(CertifiedKey);

        var start = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");

        Assert.Equal("direct", JsonNode.Parse(start.OptionsJson)!["attestation"]!.GetValue<string>());
    }

    [Fact]
    public async Task BeginRegistration_AdminAllowListAndBlob_AsksForDirectAttestation()
    {
        var policy = new PasskeyModelPolicy(factors.Database.Factory, factors.Database.Time, factors.Database.AuditLog,
            Options.Create(new WebAuthnOptions()), factors.Models);
        await policy.AllowAsync(CertifiedKey, "admin-id");
        passkeys = factors.CreatePasskeys(metadata: Blob());

        var start = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");

        Assert.Equal("direct", JsonNode.Parse(start.OptionsJson)!["attestation"]!.GetValue<string>());
    }

    [Fact]
    public async Task BeginRegistration_AllowListWithoutBlob_AsksForNoAttestation()
    {
        passkeys = factors.CreatePasskeys(o => o.AllowedAaguids = [CertifiedKey]);

        var start = await passkeys.BeginRegistrationAsync(userId, "ada@example.com");

        Assert.Equal("none", JsonNode.Parse(start.OptionsJson)!["attestation"]!.GetValue<string>());
    }

    [Fact]
    public async Task Register_CertifiedModelWithFullAttestation_SucceedsAndListsItsCertifiedName()
    {
        passkeys = Verifying(CertifiedKey);
        using var device = SecurityKey(CertifiedKey);

        var result = await RegisterAsync(device, userId, name: "Desk key");

        Assert.True(result.Succeeded, result.Error);
        var summary = Assert.Single(await passkeys.ListAsync(userId));
        Assert.Equal("Test Key Certified", summary.CertifiedModel);
        await using var db = await factors.Database.Factory.CreateDbContextAsync();
        Assert.Equal("packed", (await db.PasskeyCredentials.SingleAsync()).AttestationFormat);
    }

    [Fact]
    public async Task Register_CertifiedModelWithoutAttestation_IsRefused()
    {
        passkeys = Verifying(CertifiedKey);
        using var device = new SoftwareAuthenticator(CertifiedKey);

        var result = await RegisterAsync(device, userId);

        Assert.False(result.Succeeded);
        Assert.Contains("did not attest what model it is", result.Error);
        Assert.Equal(0, await passkeys.CountAsync(userId));
    }

    [Fact]
    public async Task Register_RevokedModel_IsRefused()
    {
        passkeys = Verifying(RevokedKey);
        using var device = SecurityKey(RevokedKey);

        var result = await RegisterAsync(device, userId);

        Assert.False(result.Succeeded);
        Assert.Contains("REVOKED", result.Error);
        Assert.Equal(0, await passkeys.CountAsync(userId));
    }

    [Fact]
    public async Task Register_UncertifiedModel_IsRefused()
    {
        passkeys = Verifying(UncertifiedKey);
        using var device = SecurityKey(UncertifiedKey);

        var result = await RegisterAsync(device, userId);

        Assert.False(result.Succeeded);
        Assert.Contains("Test Key Uncertified is not FIDO certified", result.Error);
    }

    [Fact]
    public async Task Register_AllowedModelMissingFromTheBlob_IsRefused()
    {
        var unlisted = Guid.Parse("2fc0579f-8113-47ea-b116-bb5a8db9202a");
        passkeys = Verifying(unlisted);
        using var device = SecurityKey(unlisted);

        var result = await RegisterAsync(device, userId);

        Assert.False(result.Succeeded);
        Assert.Contains("not in the FIDO metadata", result.Error);
    }

    [Fact]
    public async Task Register_AttestationUnderAnotherRoot_IsRefused()
    {
        passkeys = Verifying(CertifiedKey);
        using var stranger = TestMetadata.CreateStrangerAttestationRoot();
        using var device = SecurityKey(CertifiedKey, stranger);

        var result = await RegisterAsync(device, userId);

        Assert.False(result.Succeeded);
        Assert.Contains("InvalidCertificateChain", result.Error);
    }

    [Fact]
    public async Task Register_BlobWithoutAllowList_AcceptsAnUnattestedPasskeyAsBefore()
    {
        passkeys = factors.CreatePasskeys(metadata: Blob());

        var result = await RegisterAsync(authenticator, userId);

        Assert.True(result.Succeeded, result.Error);
        Assert.Null(Assert.Single(await passkeys.ListAsync(userId)).CertifiedModel);
    }

    [Fact]
    public async Task Register_BlobWithoutAllowList_StillRefusesARevokedModel()
    {
        passkeys = factors.CreatePasskeys(metadata: Blob());
        using var device = new SoftwareAuthenticator(RevokedKey);

        var result = await RegisterAsync(device, userId);

        Assert.False(result.Succeeded);
        Assert.Contains("UndesiredMetadataStatus", result.Error);
    }

    private FileMetadataService Blob() => mds.Load(TestMetadata.Payload(
        mds.Entry(CertifiedKey, "Test Key Certified", AuthenticatorStatus.FIDO_CERTIFIED),
        mds.Entry(RevokedKey, "Test Key Revoked", AuthenticatorStatus.REVOKED),
        mds.Entry(UncertifiedKey, "Test Key Uncertified", AuthenticatorStatus.NOT_FIDO_CERTIFIED)), factors.Database.Time.GetUtcNow());

    private Passkeys Verifying(params Guid[] allowed) => factors.CreatePasskeys(o => o.AllowedAaguids = [.. allowed], Blob());

    private SoftwareAuthenticator SecurityKey(Guid aaguid, X509Certificate2? issuer = null) =>
        new(aaguid) { AttestationCertificate = mds.IssueAttestationCertificate(aaguid, issuer) };
}
