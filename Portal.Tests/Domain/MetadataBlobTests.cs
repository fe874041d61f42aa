using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Fido2NetLib;
using Microsoft.Extensions.Time.Testing;
using Tessera.Domain.Factors;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>The FIDO metadata BLOB: what is accepted as genuine, and what it says of each model.</summary>
public sealed class MetadataBlobTests : IDisposable
{
    private static readonly Guid CertifiedKey = Guid.Parse("0bb43545-fd2c-4185-87dd-feb0b2916ace");
    private static readonly Guid RevokedKey = Guid.Parse("c1f9a0bc-1dd2-404a-b27f-8e29047a43fd");

    private readonly TestMetadata metadata = TestMetadata.Create();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => metadata.Dispose();

    [Fact]
    public void Verify_GenuineBlob_YieldsItsEntries()
    {
        var payload = MetadataBlob.Verify(metadata.Sign(TwoModels()), metadata.Root, time.GetUtcNow());

        Assert.Equal(7, payload.Number);
        Assert.Equal("2026-04-01", payload.NextUpdate);
        Assert.Equal("RS256", payload.JwtAlg);
        Assert.Equal([CertifiedKey, RevokedKey], payload.Entries.Select(e => e.AaGuid!.Value));
        Assert.Equal("Test Key Certified", payload.Entries[0].MetadataStatement.Description);
        Assert.Equal(AuthenticatorStatus.REVOKED, payload.Entries[1].StatusReports.Single().Status);
    }

    [Fact]
    public void Verify_Es256Blob_Verifies()
    {
        using var signer = metadata.IssueEcSigner();

        var payload = MetadataBlob.Verify(metadata.Sign(TwoModels(), signer), metadata.Root, time.GetUtcNow());

        Assert.Equal("ES256", payload.JwtAlg);
        Assert.Equal(2, payload.Entries.Length);
    }

    [Fact]
    public void Verify_TamperedPayload_IsRefused()
    {
        var parts = metadata.Sign(TwoModels()).Split('.');
        var forged = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
        forged["entries"]![1]!["statusReports"]![0]!["status"] = "FIDO_CERTIFIED";
        var tampered = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forged.ToJsonString()))}.{parts[2]}";

        var refused = Assert.Throws<MetadataBlobException>(() => MetadataBlob.Verify(tampered, metadata.Root, time.GetUtcNow()));

        Assert.Contains("signature does not verify", refused.Message);
    }

    [Fact]
    public void Verify_BlobSignedUnderAnotherRoot_IsRefused()
    {
        using var stranger = TestMetadata.Create("Stranger");

        var refused = Assert.Throws<MetadataBlobException>(() => MetadataBlob.Verify(stranger.Sign(TwoModels()), metadata.Root, time.GetUtcNow()));

        Assert.Contains("does not chain to the trusted root", refused.Message);
    }

    [Fact]
    public void Verify_AfterTheSigningCertificateExpired_IsRefused()
    {
        var blob = metadata.Sign(TwoModels());
        time.SetUtcNow(TestMetadata.IssuedNotAfter.AddDays(1));

        var refused = Assert.Throws<MetadataBlobException>(() => MetadataBlob.Verify(blob, metadata.Root, time.GetUtcNow()));

        Assert.Contains("NotTimeValid", refused.Message);
    }

    [Fact]
    public void Verify_AlgNone_IsRefused()
    {
        var header = Encode("""{"alg":"none","x5c":[]}""");
        var unsigned = $"{header}.{Encode(TwoModels().ToJsonString())}.c2ln";

        var refused = Assert.Throws<MetadataBlobException>(() => MetadataBlob.Verify(unsigned, metadata.Root, time.GetUtcNow()));

        Assert.Contains("unsupported algorithm ('none')", refused.Message);
    }

    [Fact]
    public void Verify_AlgorithmOfAnotherKeyType_IsRefused()
    {
        var blob = metadata.Sign(TwoModels(), algorithm: "ES256");

        var refused = Assert.Throws<MetadataBlobException>(() => MetadataBlob.Verify(blob, metadata.Root, time.GetUtcNow()));

        Assert.Contains("has no EC key", refused.Message);
    }

    [Fact]
    public void Verify_HeaderWithoutX5c_IsRefused()
    {
        var parts = metadata.Sign(TwoModels()).Split('.');
        var blob = $"{Encode("""{"alg":"RS256","typ":"JWT"}""")}.{parts[1]}.{parts[2]}";

        var refused = Assert.Throws<MetadataBlobException>(() => MetadataBlob.Verify(blob, metadata.Root, time.GetUtcNow()));

        Assert.Contains("no x5c", refused.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a jwt")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("a..c")]
    [InlineData("!!!.b.c")]
    public void Verify_NotAJwt_IsRefused(string blob)
    {
        Assert.Throws<MetadataBlobException>(() => MetadataBlob.Verify(blob, metadata.Root, time.GetUtcNow()));
    }

    [Fact]
    public void Verify_GenuineSignatureOverSomethingElse_IsRefusedAsNotABlobPayload()
    {
        var blob = metadata.Sign(new JsonObject { ["hello"] = "world" });

        var refused = Assert.Throws<MetadataBlobException>(() => MetadataBlob.Verify(blob, metadata.Root, time.GetUtcNow()));

        Assert.Contains("payload is not a metadata BLOB payload", refused.Message);
    }

    [Fact]
    public void StatusOf_CertifiedModel_IsCertifiedUnderItsMetadataName()
    {
        var service = metadata.Load(TwoModels(), time.GetUtcNow());

        Assert.Equal(ModelCertification.Certified, service.StatusOf(CertifiedKey).Certification);
        Assert.Equal("Test Key Certified", service.CertifiedModelName(CertifiedKey));
    }

    [Fact]
    public void StatusOf_RevokedModel_IsRefused()
    {
        var service = metadata.Load(TwoModels(), time.GetUtcNow());

        var status = service.StatusOf(RevokedKey);

        Assert.Equal(ModelCertification.Refused, status.Certification);
        Assert.Equal(AuthenticatorStatus.REVOKED, status.Status);
        Assert.Null(service.CertifiedModelName(RevokedKey));
        Assert.Contains("refused by the FIDO Alliance (REVOKED)", service.WhyNotProven(RevokedKey, "attca", "a key"));
    }

    [Fact]
    public async Task StatusOf_UnknownAaguid_IsNotCertified()
    {
        var service = metadata.Load(TwoModels(), time.GetUtcNow());
        var unknown = Guid.Parse("6d44ba9b-f6ec-2e49-b930-0c8fe920cb73");

        Assert.Equal(ModelCertification.NotListed, service.StatusOf(unknown).Certification);
        Assert.False(service.StatusOf(unknown).IsCertified);
        Assert.Null(service.CertifiedModelName(unknown));
        Assert.Null(await service.GetEntryAsync(unknown));
        Assert.Contains("not in the FIDO metadata", service.WhyNotProven(unknown, "attca", "a key"));
    }

    [Fact]
    public void StatusOf_UpdateAvailableAfterAUserVerificationBypass_StaysRefused()
    {
        var entry = metadata.Entry(CertifiedKey, "Test Key Certified", AuthenticatorStatus.FIDO_CERTIFIED_L1, "2023-01-01");
        var reports = entry["statusReports"]!.AsArray();
        reports.Add(TestMetadata.Report(AuthenticatorStatus.USER_VERIFICATION_BYPASS, "2024-01-01"));
        reports.Add(TestMetadata.Report(AuthenticatorStatus.UPDATE_AVAILABLE, "2024-02-01"));

        var service = metadata.Load(TestMetadata.Payload(entry), time.GetUtcNow());

        Assert.Equal(ModelCertification.Refused, service.StatusOf(CertifiedKey).Certification);
        Assert.Equal(AuthenticatorStatus.USER_VERIFICATION_BYPASS, service.StatusOf(CertifiedKey).Status);
    }

    [Fact]
    public void WhyNotProven_CertifiedModelWithoutAttestation_SaysSo()
    {
        var service = metadata.Load(TwoModels(), time.GetUtcNow());

        Assert.Null(service.WhyNotProven(CertifiedKey, "attca", "a key"));
        Assert.Contains("did not attest what model it is (none attestation)", service.WhyNotProven(CertifiedKey, "none", "a key"));
        Assert.Contains("(self attestation)", service.WhyNotProven(CertifiedKey, "self", "a key"));
    }

    [Fact]
    public void Load_FileWithATrailingNewline_VerifiesAndIsNotStaleBeforeItsNextUpdate()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mds-{Guid.NewGuid():N}.jwt");
        File.WriteAllText(path, metadata.Sign(TwoModels()) + "\n");
        try
        {
            var service = FileMetadataService.Load(path, metadata.Root, time.GetUtcNow());

            Assert.True(service.HasBlob);
            Assert.Equal(2, service.Count);
            Assert.False(service.ConformanceTesting());
            Assert.False(service.IsStale(time.GetUtcNow()));
            Assert.True(service.IsStale(new DateTimeOffset(2026, 4, 2, 0, 0, 0, TimeSpan.Zero)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FidoRoot_IsGlobalSignRootCaR3()
    {
        var root = MetadataTrustRoot.Fido().Certificate;

        Assert.Equal("CBB522D7B7F127AD6A0113865BDF1CD4102E7D0759AF635A7CF4720DC963C53B", root.GetCertHashString(HashAlgorithmName.SHA256));
        Assert.Contains("OU=GlobalSign Root CA - R3", root.Subject);
    }

    [Fact]
    public void None_ListsNoModel()
    {
        Assert.False(FileMetadataService.None.HasBlob);
        Assert.Equal(ModelCertification.NotListed, FileMetadataService.None.StatusOf(CertifiedKey).Certification);
    }

    private JsonObject TwoModels() => TestMetadata.Payload(
        metadata.Entry(CertifiedKey, "Test Key Certified", AuthenticatorStatus.FIDO_CERTIFIED),
        metadata.Entry(RevokedKey, "Test Key Revoked", AuthenticatorStatus.REVOKED));

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
