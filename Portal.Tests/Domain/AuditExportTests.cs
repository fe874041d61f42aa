using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Tessera.Domain.Audit;
using Tessera.Portal.Cli;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>The verifiable export and its offline check (<c>audit-verify</c>) with nothing but the public key.</summary>
public sealed class AuditExportTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("tessera-audit-export-").FullName;
    private TestDatabase database = null!;
    private AuditServices audit = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        audit = new AuditServices(database);
        for (var i = 1; i <= 6; i++)
        {
            await database.AuditLog.RecordAsync(new AuditEntry(AuditEventTypes.SignIn, AuditOutcome.Success, "u", "u", "203.0.113.4", Detail: $"event {i}"));
            database.Time.Advance(TimeSpan.FromSeconds(1));
            if (i == 4)
            {
                await audit.Checkpoints.WriteAsync();
            }
        }
    }

    public async Task DisposeAsync()
    {
        await database.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task IntactExport_VerifiesWithThePublicKey_AndAuditVerifyExitsZero()
    {
        var lines = await ExportAsync();

        var (exit, output) = await AuditVerifyAsync(lines);

        Assert.Equal(0, exit);
        Assert.StartsWith("OK: The hash chain is intact: 7 events from 1 to 7", output);
    }

    [Fact]
    public async Task EventEditedInTheDatabase_IsNamedByAuditVerify()
    {
        await database.ExecuteSqlAsync("UPDATE AuditEvents SET Detail = 'nothing to see' WHERE Sequence = 3");
        var lines = await ExportAsync();

        var (exit, output) = await AuditVerifyAsync(lines);

        Assert.Equal(1, exit);
        Assert.Contains("FAILED (Edited): Event 3 was edited", output);
    }

    [Fact]
    public async Task EventEditedInTheFile_IsNamedByAuditVerify()
    {
        var lines = await ExportAsync();
        var index = lines.FindIndex(l => l.Contains("\"sequence\":2,") && l.Contains("\"type\":\"event\""));
        var line = JsonNode.Parse(lines[index])!;
        line["detail"] = "rewritten";
        lines[index] = line.ToJsonString();

        var report = await VerifyAsync(lines);

        Assert.Equal(ChainProblem.Edited, report.Problem);
        Assert.Equal(2, report.BrokenAt);
    }

    [Fact]
    public async Task TailDeletedAfterACheckpoint_IsReportedAsTruncated_EvenWithTheEndLineFixed()
    {
        await database.ExecuteSqlAsync("DELETE FROM AuditEvents WHERE Sequence >= 4");
        var lines = await ExportAsync();

        var (exit, output) = await AuditVerifyAsync(lines);

        Assert.Equal(1, exit);
        Assert.Contains("FAILED (TailTruncated)", output);
        Assert.Contains("events from 4 were deleted", output);
    }

    [Fact]
    public async Task LinesRemovedFromTheFile_AreNoticedByTheEndLine()
    {
        var lines = await ExportAsync();
        lines.RemoveAt(lines.FindLastIndex(l => l.Contains("\"type\":\"event\"")));

        var report = await VerifyAsync(lines);

        Assert.Equal(ChainProblem.ExportMalformed, report.Problem);
        Assert.Contains("lines were removed", report.Message);
    }

    [Fact]
    public async Task FileCutShort_IsReported()
    {
        var lines = await ExportAsync();

        var report = await VerifyAsync(lines.Take(lines.Count - 1).ToList());

        Assert.Equal(ChainProblem.ExportMalformed, report.Problem);
        Assert.Contains("cut short", report.Message);
    }

    [Fact]
    public async Task CheckpointForgedInTheDatabase_IsReported()
    {
        await database.ExecuteSqlAsync("UPDATE AuditCheckpoints SET Sequence = 2");
        var lines = await ExportAsync();

        var report = await VerifyAsync(lines);

        Assert.Equal(ChainProblem.ForgedCheckpoint, report.Problem);
        Assert.Equal(2, report.BrokenAt);
    }

    [Fact]
    public async Task AnotherKey_DoesNotVerifyTheCheckpoints()
    {
        var lines = await ExportAsync();
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var report = await AuditExportVerifier.VerifyAsync(new StringReader(string.Join('\n', lines)), stranger);

        Assert.Equal(ChainProblem.ForgedCheckpoint, report.Problem);
        Assert.Contains("not signed by the given key", report.Message);
    }

    [Fact]
    public async Task HmacCheckpointFromBefore_IsSignedAgainWithTheKey_OnlyWhenAuthentic()
    {
        var secret = await audit.Checkpoints.KeyAsync(CancellationToken.None);
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            var legacy = new AuditCheckpoint { Sequence = 2, EventHash = (await db.AuditEvents.SingleAsync(e => e.Sequence == 2)).Hash, CreatedAt = database.Time.GetUtcNow(), EventCount = 2 };
            legacy.Signature = AuditCheckpoints.LegacyHmac(secret.Key, legacy);
            var forged = new AuditCheckpoint { Sequence = 3, EventHash = "00", CreatedAt = database.Time.GetUtcNow(), EventCount = 3, Signature = new string('a', 64) };
            db.AuditCheckpoints.AddRange(legacy, forged);
            await db.SaveChangesAsync();
        }

        var resigned = await audit.Checkpoints.ResignAsync();

        Assert.Equal(1, resigned);
        var all = await audit.Checkpoints.ListAsync();
        Assert.NotNull(all.Single(c => c.Sequence == 2).KeyId);
        Assert.Null(all.Single(c => c.Sequence == 3).KeyId);
        Assert.Equal(ChainProblem.ForgedCheckpoint, (await audit.Verifier.VerifyAsync()).Problem);
    }

    [Fact]
    public async Task Signature_VerifiesWithOpenSsl_OverTheSignedText()
    {
        var checkpoint = (await audit.Checkpoints.ListAsync()).Single();
        var key = await audit.Checkpoints.PublicKeyAsync();
        await File.WriteAllTextAsync(Path.Combine(folder, "key.pem"), key.Pem);
        await File.WriteAllTextAsync(Path.Combine(folder, "text"), AuditCheckpointSignature.SignedText(checkpoint), new UTF8Encoding(false));
        await File.WriteAllBytesAsync(Path.Combine(folder, "sig.der"), Convert.FromBase64String(checkpoint.Signature));

        var (exit, output) = await PortalProcessRunAsync("openssl", ["dgst", "-sha256", "-verify", "key.pem", "-signature", "sig.der", "text"]);

        Assert.True(exit == 0, output);
        Assert.Contains("Verified OK", output);
    }

    private async Task<List<string>> ExportAsync()
    {
        var export = new AuditExport(database.Factory, audit.Checkpoints, database.Sequencer, new FakeTimeProvider(database.Time.GetUtcNow()));
        using var stream = new MemoryStream();
        await export.WriteAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private async Task<ChainReport> VerifyAsync(List<string> lines)
    {
        var key = await audit.Checkpoints.PublicKeyAsync();
        using var ecdsa = AuditCheckpointSignature.ImportPublicKey(key.Pem)!;
        return await AuditExportVerifier.VerifyAsync(new StringReader(string.Join('\n', lines)), ecdsa);
    }

    private async Task<(int Exit, string Output)> AuditVerifyAsync(List<string> lines)
    {
        var input = Path.Combine(folder, "export.jsonl");
        var pem = Path.Combine(folder, "key.pem");
        await File.WriteAllLinesAsync(input, lines);
        await File.WriteAllTextAsync(pem, (await audit.Checkpoints.PublicKeyAsync()).Pem);
        var output = new StringWriter();
        var exit = await AuditVerifyCommand.RunAsync(["audit-verify", "--input", input, "--public-key", pem], output, output);
        return (exit, output.ToString());
    }

    private async Task<(int Exit, string Output)> PortalProcessRunAsync(string program, string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
