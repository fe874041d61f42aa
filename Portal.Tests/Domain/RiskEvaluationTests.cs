using Tessera.Domain.Risk;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class RiskEvaluationTests
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Support", "Risk", "rba-sample.csv");
    private static readonly DateTimeOffset Start = new(2020, 2, 3, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Split_QuotedFieldsWithCommasAndDoubledQuotes_StayOneFieldEach()
    {
        var fields = new List<string>();

        var complete = RbaCsv.Split("1,\"Mozilla/5.0 (KHTML, like Gecko)\",\"say \"\"hi\"\"\",,end", fields);

        Assert.True(complete);
        Assert.Equal(["1", "Mozilla/5.0 (KHTML, like Gecko)", "say \"hi\"", "", "end"], fields);
    }

    [Fact]
    public void Split_UnclosedQuote_AsksForTheNextLine()
    {
        Assert.False(RbaCsv.Split("1,\"a quoted field that goes on", []));
    }

    [Fact]
    public void Read_TheFixture_ParsesQuotedAgentsEmptyRoundTripsDashesAndLabels()
    {
        using var reader = new StreamReader(Fixture);

        var rows = RbaCsv.Read(reader).ToList();

        Assert.Equal(5, rows.Count);
        var first = rows[0];
        Assert.Equal(new DateTimeOffset(2020, 2, 3, 12, 43, 30, 772, TimeSpan.Zero), first.At);
        Assert.Equal("-4324475583306591935", first.UserId);
        Assert.Null(first.RoundTripMs);
        Assert.Null(first.Region);
        Assert.Equal(29695, first.Asn);
        Assert.Contains("(KHTML, like Gecko)", first.UserAgent);
        Assert.False(first.Successful);
        var bot = rows.Single(r => r.Index == 2);
        Assert.Equal("Mozilla/5.0 (compatible; \"Example, Bot\"; +https://example.test/bot)", bot.UserAgent);
        Assert.Equal(421.0, bot.RoundTripMs);
        Assert.True(bot.AttackIp);
        Assert.True(rows.Single(r => r.Index == 4).AccountTakeover);
        Assert.Null(rows.Single(r => r.Index == 4).Asn);
    }

    [Fact]
    public void Read_HeaderWithoutAColumn_NamesTheMissingColumn()
    {
        var csv = RbaCsv.Header.Replace(",Is Account Takeover", "", StringComparison.Ordinal) + "\n";

        var e = Assert.Throws<RbaFormatException>(() => RbaCsv.Read(new StringReader(csv)).ToList());

        Assert.Contains("'Is Account Takeover'", e.Message);
    }

    [Fact]
    public void Read_MalformedRows_AreSkippedAndReportedWithTheirLine()
    {
        var csv = RbaCsv.Header + "\n"
            + "0,2020-02-03 12:43:30.772,u1,,1.2.3.4,NO,-,-,29695,ua,,,desktop,True,False,False\n"
            + "1,yesterday,u1,,1.2.3.4,NO,-,-,29695,ua,,,desktop,True,False,False\n"
            + "2,2020-02-03 12:43:31.000,u1,,1.2.3.4,NO,-,-,29695,ua,,,desktop,Maybe,False,False\n";
        var report = new RbaReadReport();

        var rows = RbaCsv.Read(new StringReader(csv), report).ToList();

        Assert.Single(rows);
        Assert.Equal(2, report.Skipped);
        Assert.StartsWith("line 3: Login Timestamp 'yesterday'", report.Examples[0]);
    }

    [Fact]
    public void WriteThenRead_GivesTheSameRows()
    {
        var rows = RbaSample.Logins(users: 3, loginsPerUser: 4, takeovers: 2);
        var text = new StringWriter();
        RbaCsv.WriteHeader(text);
        rows.ForEach(r => RbaCsv.Write(text, r));

        var read = RbaCsv.Read(new StringReader(text.ToString())).ToList();

        Assert.Equal(rows, read);
    }

    [Fact]
    public void InTimeOrder_SortsByTimestamp_ThenByIndex()
    {
        using var reader = new StreamReader(Fixture);

        var order = RbaCsv.InTimeOrder(RbaCsv.Read(reader)).Select(r => r.Index).ToList();

        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public void InTimeOrder_RowFurtherOutOfPlaceThanTheBuffer_IsAnError()
    {
        var rows = Enumerable.Range(0, 10).Select(i => RiskEvaluationReplayTests.Login(Start.AddMinutes(i == 9 ? -1 : i), index: i));

        var e = Assert.Throws<RbaFormatException>(() => RbaCsv.InTimeOrder(rows, buffer: 3).ToList());

        Assert.Contains("sort the file by Login Timestamp", e.Message);
    }

    [Fact]
    public void Auc_PerfectSeparation_IsOne() => Assert.Equal(1.0, Curve([3, 4, 5], [0, 1, 2]).Auc);

    [Fact]
    public void Auc_Reversed_IsZero() => Assert.Equal(0.0, Curve([0, 1, 2], [3, 4, 5]).Auc);

    [Fact]
    public void Auc_AllTied_IsOneHalf() => Assert.Equal(0.5, Curve([1, 1], [1, 1, 1]).Auc);

    [Fact]
    public void Auc_Mixed_CountsPairsAndHalfTies()
    {
        // Pairs (attack, legitimate): 3>1, 3>2, 2>1, 2=2 (half), 0<1, 0<2: 3.5 of 6.
        Assert.Equal(3.5 / 6, Curve([3, 2, 0], [1, 2]).Auc, 12);
    }

    [Fact]
    public void TprAtFpr_TakesTheBestThresholdWithinTheFalsePositiveBudget()
    {
        // 100 legitimate scores 0..99; attacks at 99.5 (above all), 98.5 (above 99 of them) and 50.
        var curve = Curve([99.5, 98.5, 50], Enumerable.Range(0, 100).Select(i => (double)i).ToArray());

        Assert.Equal(1 / 3.0, curve.TprAtFpr(0.0), 12);
        Assert.Equal(2 / 3.0, curve.TprAtFpr(0.01), 12);
        Assert.Equal(1.0, curve.TprAtFpr(0.5), 12);
    }

    [Fact]
    public void ThresholdForTpr_IsTheHighestThatCatchesThatShareOfAttacks()
    {
        var curve = Curve([5, 4, 3, 2], [0, 1, 2.5]);

        Assert.Equal(4, curve.ThresholdForTpr(0.5));
        Assert.Equal(2, curve.ThresholdForTpr(0.995));
        Assert.Equal(1 / 3.0, curve.FprAt(2), 12);
    }

    [Fact]
    public void RiskScoreRelation_IsTheRatioOfMedianLikelihoodRatios()
    {
        // Median attack score 2 (LR 100), median legitimate score -1 (LR 0.1): 1,000 times riskier.
        Assert.Equal(1000, RiskMetrics.RiskScoreRelation([1, 2, 3], [-2, -1, 0]), 6);
    }

    [Fact]
    public void MedianReauthentication_IsTheMedianOverUsersOfTheirShareFlagged()
    {
        IReadOnlyCollection<double>[] users = [[0, 0, 5, 5], [0, 0, 0, 0], [5, 5, 5, 5], []];

        Assert.Equal(0.5, RiskMetrics.MedianReauthentication(users, threshold: 5));
    }

    private static RocCurve Curve(double[] attacks, double[] legitimate)
    {
        var curve = new RocCurve();
        foreach (var s in attacks)
        {
            curve.Add(s, positive: true);
        }
        foreach (var s in legitimate)
        {
            curve.Add(s, positive: false);
        }
        return curve;
    }

}
