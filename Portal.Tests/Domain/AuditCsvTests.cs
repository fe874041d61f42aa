using Tessera.Portal.Endpoints;

namespace Tessera.Portal.Tests.Domain;

public sealed class AuditCsvTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line1\nline2", "\"line1\nline2\"")]
    [InlineData(null, "")]
    public void Cell_SpecialCharacters_AreQuoted(string? value, string expected)
    {
        Assert.Equal(expected, AuditCsv.Cell(value));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    public void Cell_LeadingFormulaCharacter_IsNeutralisedWithAQuote(string value, string expected)
    {
        Assert.Equal(expected, AuditCsv.Cell(value));
    }
}
