using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Factors.Phones;
using Tessera.Domain.Keys;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

/// <summary>Install secrets have versions: a new one makes new values, and no look-up of an older value is orphaned.</summary>
public sealed class VersionedSecretsTests : IAsyncLifetime
{
    private const string Number = "+447700900123";

    private PhonesFixture phones = null!;

    public async Task InitializeAsync() => phones = await PhonesFixture.CreateAsync();

    public async Task DisposeAsync() => await phones.DisposeAsync();

    private SecretStore Secrets => phones.Database.Secrets;

    [Fact]
    public async Task AddVersion_MakesItCurrent_KeepsTheOlder_AndTagsWhatItMakes()
    {
        var first = await Secrets.CurrentAsync("test.secret", 32);

        var second = await Secrets.AddVersionAsync("test.secret", 32);

        Assert.Equal(1, first.Version);
        Assert.Equal(2, second.Version);
        Assert.Equal([2, 1], (await Secrets.VersionsAsync("test.secret", 32)).Select(v => v.Version));
        Assert.NotEqual(first.Key, second.Key);
        Assert.DoesNotContain(":", first.KeyedHash("x"));
        Assert.StartsWith("v2:", second.KeyedHash("x"));
        Assert.NotEqual(first.KeyedHash("x"), second.KeyedHash("x")[3..]);
    }

    [Fact]
    public async Task ANewNumberKey_FindsNumbersHashedBeforeIt_ThenTheRehashMovesThemUnderIt()
    {
        var userId = await phones.Factors.AddUserAsync("ada@example.com");
        await phones.AddVerifiedAsync(userId, Number);
        var before = await StoredHashAsync(userId);

        await Secrets.AddVersionAsync(UserPhones.NumberSecretName, 32);
        var foundBeforeRehash = await phones.Phones.FindUsersAsync("07700 900123");
        var moved = await phones.Phones.RehashAsync();

        Assert.Contains(userId, foundBeforeRehash);
        Assert.Equal(1, moved);
        var after = await StoredHashAsync(userId);
        Assert.DoesNotContain(":", before);
        Assert.StartsWith("v2:", after);
        Assert.Contains(userId, await phones.Phones.FindUsersAsync(Number));
        // The same number again is still a duplicate, whichever version its stored hash was made under.
        var again = await phones.Phones.AddAsync(userId, Number, phones.Database.StepUpProofs.Issue(userId, Tessera.Domain.Accounts.StepUpPurposes.ChangePhone));
        Assert.Equal("That number is already on your account.", again.Error);
        Assert.Equal(0, await phones.Phones.RehashAsync());
    }

    [Fact]
    public async Task ANodeThatLoadedItsKeysBeforeARotation_StillFindsARehashedNumber()
    {
        var userId = await phones.Factors.AddUserAsync("ada@example.com");
        await phones.AddVerifiedAsync(userId, Number);
        // Another node: its own store and phone service, which loaded version 1 only.
        var otherStore = new SecretStore(phones.Database.Factory, phones.Database.Protection, phones.Database.Time);
        await otherStore.InitializeAsync();
        var otherNode = new UserPhones(phones.Database.Factory, phones.Database.Time, otherStore, phones.Database.AuditLog, phones.Challenges,
            new Tessera.Domain.Challenges.ChallengeTexts(new Tessera.Domain.Challenges.ChallengeTextSettings("Tessera", "localhost")), phones.Database.Lifecycle(),
            Microsoft.Extensions.Options.Options.Create(new Tessera.Domain.Contacts.PhoneOptions { DefaultRegion = "GB" }));

        await Secrets.AddVersionAsync(UserPhones.NumberSecretName, 32);
        await phones.Phones.RehashAsync();

        Assert.Contains(userId, await otherNode.FindUsersAsync(Number));
    }

    private async Task<string> StoredHashAsync(string userId)
    {
        await using var db = await phones.Database.Factory.CreateDbContextAsync();
        return await db.UserPhones.Where(p => p.UserId == userId).Select(p => p.NumberHash).SingleAsync();
    }
}
