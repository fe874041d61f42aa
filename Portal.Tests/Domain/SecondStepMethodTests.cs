using Tessera.Domain.Contacts;
using Tessera.Domain.Factors;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.SignIn;

namespace Tessera.Portal.Tests.Domain;

public sealed class SecondStepMethodTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid PhoneId = Guid.NewGuid();
    private static readonly CodeTarget Phone = new(CodeTarget.PhoneKey(PhoneId), Channel.Sms, "+44 •••• ••• 123");
    private static readonly CodeTarget Email = new(CodeTarget.EmailKey, Channel.Email, "a•••@example.com");

    [Fact]
    public void NothingUsedYet_TheStrongestComesFirst()
    {
        IReadOnlyList<FactorSummary> factors =
        [
            new(FactorKind.AuthenticatorApp, Guid.NewGuid(), "Phone app", Now.AddDays(-30), null),
            new(FactorKind.Passkey, Guid.NewGuid(), "Laptop", Now.AddDays(-30), null),
        ];

        var methods = SecondStepMethod.Order(factors, [Phone, Email]);

        Assert.Equal([SecondStepKind.Passkey, SecondStepKind.AuthenticatorApp, SecondStepKind.Code, SecondStepKind.Code], methods.Select(m => m.Kind));
        Assert.Equal("Text message to +44 •••• ••• 123", methods[2].Name);
        Assert.Equal("Email to a•••@example.com", methods[3].Name);
    }

    [Fact]
    public void TheLastUsed_ComesFirst_EvenWhenWeaker()
    {
        IReadOnlyList<FactorSummary> factors =
        [
            new(FactorKind.Passkey, Guid.NewGuid(), "Laptop", Now.AddDays(-30), Now.AddDays(-10)),
            new(FactorKind.Phone, PhoneId, "+44 •••• ••• 123", Now.AddDays(-30), Now.AddHours(-1)),
        ];

        var methods = SecondStepMethod.Order(factors, [Phone]);

        Assert.Equal([SecondStepKind.Code, SecondStepKind.Passkey], methods.Select(m => m.Kind));
    }
}
