using System.Globalization;
using System.Text;
using Tessera.Domain.Audit;

namespace Tessera.Portal.Endpoints;

/// <summary>Writes audit events as RFC 4180 CSV, row by row, safe to open in a spreadsheet.</summary>
public static class AuditCsv
{
    private static readonly string[] Header =
        ["Sequence", "OccurredAtUtc", "Type", "Outcome", "ActorId", "SubjectId", "IpPseudonym", "UserAgent", "Detail", "PreviousHash", "Hash"];

    // With a byte order mark: without it, Excel reads UTF-8 as the local code page and mangles non-ASCII details.
    private static readonly Encoding Utf8WithBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    private const int FlushEvery = 500;

    public static async Task WriteAsync(Stream output, IAsyncEnumerable<AuditEvent> events, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, Utf8WithBom, bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(Row(Header));
        var count = 0;
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            await writer.WriteAsync(Row(
            [
                e.Sequence.ToString(CultureInfo.InvariantCulture),
                e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                e.Type,
                e.Outcome.ToString(),
                e.ActorId,
                e.SubjectId,
                e.IpPseudonym,
                e.UserAgent,
                e.Detail,
                e.PreviousHash,
                e.Hash,
            ]));
            // Push rows to the client as they are read: a large export never sits whole in memory.
            if (++count % FlushEvery == 0)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }
        await writer.FlushAsync(cancellationToken);
    }

    public static string Row(IEnumerable<string?> cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        // Formula injection: a spreadsheet runs a cell starting with = + - @ (or tab/CR, per OWASP) as a formula, so
        // event details that a user controlled could execute on the admin's machine. A leading quote makes it text.
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
