using System.Globalization;
using System.Text;

namespace Tessera.Domain.Risk;

/// <summary>
/// One sign-in attempt in the layout of the RBA login data set of Wiefling et al., "Pump Up Password Security!
/// Evaluating and Enhancing Risk-Based Authentication on a Real-World Large-Scale Online Service" (ACM TOPS 2022),
/// published as rba-dataset.csv ("RBA Dataset" on Kaggle). Null is "not given".
/// </summary>
public sealed record RbaLogin(
    long Index,
    DateTimeOffset At,
    string UserId,
    double? RoundTripMs,
    string? IpAddress,
    string? Country,
    string? Region,
    string? City,
    long? Asn,
    string? UserAgent,
    string? Browser,
    string? Os,
    string? DeviceType,
    bool Successful,
    bool AttackIp = false,
    bool AccountTakeover = false);

/// <summary>The file is not in the data set's layout, or not in time order: a message for the person running it.</summary>
public sealed class RbaFormatException(string message) : Exception(message);

/// <summary>Rows left out while reading (malformed), with the first few reasons for the summary.</summary>
public sealed class RbaReadReport
{
    private const int Kept = 5;
    private readonly List<string> examples = [];

    public long Skipped { get; private set; }

    public IReadOnlyList<string> Examples => examples;

    internal void Skip(long line, string why)
    {
        Skipped++;
        if (examples.Count < Kept)
        {
            examples.Add($"line {line}: {why}");
        }
    }
}

/// <summary>
/// Reads and writes the data set's CSV: a header naming the columns (found by name, so their order may differ),
/// RFC 4180 quoting (the User-Agent often holds commas), timestamps like <c>2020-02-03 12:43:30.772</c> in UTC,
/// booleans <c>True</c>/<c>False</c>. Reading streams: the real file has 31 million rows.
/// </summary>
public static class RbaCsv
{
    public const string Header =
        "index,Login Timestamp,User ID,Round-Trip Time [ms],IP Address,Country,Region,City,ASN,User Agent String,"
        + "Browser Name and Version,OS Name and Version,Device Type,Login Successful,Is Attack IP,Is Account Takeover";

    private static readonly string[] Columns = Header.Split(',');

    // A quoted field may span lines; past this many the quote is taken as unbalanced rather than read to the end of the file.
    private const int MaxLinesPerRow = 8;

    private static readonly string[] TimestampFormats =
        ["yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    public static IEnumerable<RbaLogin> Read(TextReader reader, RbaReadReport? report = null)
    {
        report ??= new RbaReadReport();
        var fields = new List<string>(Columns.Length);
        var header = reader.ReadLine() ?? throw new RbaFormatException("The file is empty: expected the header line " + Header);
        if (!Split(header.TrimStart('\uFEFF'), fields))
        {
            throw new RbaFormatException("The header line has an unbalanced quote.");
        }
        var at = MapColumns(fields);
        long line = 1;
        while (reader.ReadLine() is { } text)
        {
            var first = ++line;
            var complete = Split(text, fields);
            for (var extra = 1; !complete && extra < MaxLinesPerRow && reader.ReadLine() is { } more; extra++)
            {
                line++;
                text += "\n" + more;
                complete = Split(text, fields);
            }
            if (text.Length == 0)
            {
                continue;
            }
            if (!complete)
            {
                report.Skip(first, "a quoted field is not closed");
                continue;
            }
            if (Parse(fields, at, first, out var why) is { } login)
            {
                yield return login;
            }
            else
            {
                report.Skip(first, why);
            }
        }
    }

    /// <summary>
    /// Rows ordered by time (ties by index) through a bounded reorder buffer, so a sorted or nearly sorted file of any
    /// size streams in constant memory. A row further out of place than the buffer holds is an error, never a silent
    /// misorder: the replay learns from the past only.
    /// </summary>
    public static IEnumerable<RbaLogin> InTimeOrder(IEnumerable<RbaLogin> rows, int buffer = 100_000)
    {
        var pending = new PriorityQueue<RbaLogin, (DateTimeOffset, long)>();
        RbaLogin? last = null;
        foreach (var row in rows)
        {
            pending.Enqueue(row, (row.At, row.Index));
            if (pending.Count > buffer)
            {
                yield return Next();
            }
        }
        while (pending.Count > 0)
        {
            yield return Next();
        }

        RbaLogin Next()
        {
            var next = pending.Dequeue();
            if (last is not null && (next.At, next.Index).CompareTo((last.At, last.Index)) < 0)
            {
                throw new RbaFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"Row {next.Index} ({next.At:yyyy-MM-dd HH:mm:ss}) is more than {buffer:#,0} rows away from its place in time: sort the file by Login Timestamp first."));
            }
            last = next;
            return next;
        }
    }

    public static void WriteHeader(TextWriter writer) => writer.WriteLine(Header);

    public static void Write(TextWriter writer, RbaLogin row)
    {
        var c = CultureInfo.InvariantCulture;
        string?[] values =
        [
            row.Index.ToString(c), row.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", c), row.UserId,
            row.RoundTripMs?.ToString(c), row.IpAddress, row.Country, row.Region, row.City, row.Asn?.ToString(c),
            row.UserAgent, row.Browser, row.Os, row.DeviceType, Bool(row.Successful), Bool(row.AttackIp), Bool(row.AccountTakeover),
        ];
        writer.WriteLine(string.Join(',', values.Select(Quote)));
    }

    /// <summary>Splits one record into <paramref name="fields"/>; false when a quoted field runs past the end (more lines follow).</summary>
    internal static bool Split(string line, List<string> fields)
    {
        fields.Clear();
        if (!line.Contains('"', StringComparison.Ordinal))
        {
            // Most rows: nothing quoted.
            fields.AddRange(line.TrimEnd('\r').Split(','));
            return true;
        }
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (ch != '\r')
            {
                field.Append(ch);
            }
        }
        fields.Add(field.ToString());
        return !quoted;
    }

    private static int[] MapColumns(List<string> header)
    {
        var names = header.Select(h => h.Trim()).ToList();
        var at = Columns.Select(c => names.FindIndex(n => string.Equals(n, c, StringComparison.OrdinalIgnoreCase))).ToArray();
        var missing = Columns.Where((_, i) => at[i] < 0).ToList();
        if (missing.Count > 0)
        {
            throw new RbaFormatException($"The header lacks the column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}: expected {Header}");
        }
        return at;
    }

    private static RbaLogin? Parse(List<string> f, int[] at, long line, out string why)
    {
        why = "";
        string Field(int column) => at[column] < f.Count ? f[at[column]].Trim() : "";
        if (f.Count < Columns.Length)
        {
            why = $"{f.Count} fields, expected {Columns.Length}";
            return null;
        }
        if (!long.TryParse(Field(0), NumberStyles.Integer, CultureInfo.InvariantCulture, out var index))
        {
            why = $"index '{Field(0)}' is not a number";
            return null;
        }
        if (!DateTime.TryParseExact(Field(1), TimestampFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var timestamp))
        {
            why = $"Login Timestamp '{Field(1)}' is not like 2020-02-03 12:43:30.772";
            return null;
        }
        if (Field(2) is not { Length: > 0 } user)
        {
            why = "no User ID";
            return null;
        }
        if (!TryBool(Field(13), out var successful) || !TryBool(Field(14), out var attackIp) || !TryBool(Field(15), out var takeover))
        {
            why = "Login Successful, Is Attack IP and Is Account Takeover must be True or False";
            return null;
        }
        double? rtt = double.TryParse(Field(3), NumberStyles.Float, CultureInfo.InvariantCulture, out var r) ? r : null;
        long? asn = long.TryParse(Field(8), NumberStyles.Integer, CultureInfo.InvariantCulture, out var a) && a > 0 ? a : null;
        return new RbaLogin(index, new DateTimeOffset(timestamp, TimeSpan.Zero), user, rtt, Given(Field(4)), Given(Field(5)),
            Given(Field(6)), Given(Field(7)), asn, Given(Field(9)), Given(Field(10)), Given(Field(11)), Given(Field(12)),
            successful, attackIp, takeover);
    }

    // The data set writes "-" (and GeoIP's "--") where it has no value.
    private static string? Given(string value) => value is "" or "-" or "--" ? null : value;

    private static bool TryBool(string value, out bool result)
    {
        result = value is "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase);
        return result || value is "0" || value.Equals("false", StringComparison.OrdinalIgnoreCase);
    }

    private static string Bool(bool value) => value ? "True" : "False";

    private static string Quote(string? value) =>
        value is null ? ""
        : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : value;
}
