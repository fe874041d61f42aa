using System.ComponentModel.DataAnnotations;
using Tessera.Domain.Audit;

namespace Tessera.Portal.Tests.Domain;

public sealed class AuditOptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(365)]
    [InlineData(36500)]
    public void Validate_ZeroOrAPeriod_Passes(int days)
    {
        Assert.Empty(Validate(new AuditOptions { RetentionDays = days }));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(36501)]
    public void Validate_OutOfRange_FailsNamingAuditRetentionDays(int days)
    {
        var error = Assert.Single(Validate(new AuditOptions { RetentionDays = days }));

        Assert.Contains("Audit:RetentionDays", error.ErrorMessage);
    }

    private static List<ValidationResult> Validate(AuditOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
