using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Tessera.Domain.Keys;
using Tessera.Portal.Tests.Support;

namespace Tessera.Portal.Tests.Domain;

public sealed class FieldKeyRingTests : IAsyncLifetime
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("JBSWY3DPEHPK3PXP-totp-secret");

    private TestDatabase database = null!;

    private FieldKeyRing Ring => database.KeyRing;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public void Decrypt_WhatEncryptMade_ReturnsThePlaintext()
    {
        var stored = Ring.Encrypt(Secret);

        Assert.Equal(Secret, Ring.Decrypt(stored));
    }

    [Fact]
    public void Encrypt_EmptyPlaintext_RoundTrips()
    {
        Assert.Empty(Ring.Decrypt(Ring.Encrypt([])));
    }

    [Fact]
    public void Encrypt_SamePlaintextTwice_GivesDifferentValues()
    {
        Assert.NotEqual(Ring.Encrypt(Secret), Ring.Encrypt(Secret));
    }

    [Fact]
    public void Encrypt_FirstKey_StoresItsIdBesideTheCiphertext()
    {
        var stored = Ring.Encrypt(Secret);

        Assert.StartsWith("v1:1:", stored);
        Assert.DoesNotContain(Convert.ToBase64String(Secret), stored);
    }

    [Fact]
    public void Decrypt_FlippedCiphertextByte_IsRefused()
    {
        var parts = Ring.Encrypt(Secret).Split(':');
        var sealedBytes = Convert.FromBase64String(parts[2]);
        sealedBytes[12] ^= 0x01; // The first ciphertext byte, after the 12-byte nonce.
        var tampered = $"v1:{parts[1]}:{Convert.ToBase64String(sealedBytes)}";

        Assert.Throws<CryptographicException>(() => Ring.Decrypt(tampered));
    }

    [Fact]
    public async Task Decrypt_ValueRelabelledToAnotherExistingKeyId_IsRefused()
    {
        var underKey1 = Ring.Encrypt(Secret);
        await Ring.AddActiveKeyAsync(CancellationToken.None);

        var relabelled = "v1:2:" + underKey1["v1:1:".Length..];

        Assert.Throws<CryptographicException>(() => Ring.Decrypt(relabelled));
    }

    [Fact]
    public void Decrypt_UnknownKeyId_IsRefused()
    {
        var stored = Ring.Encrypt(Secret);

        var ex = Assert.Throws<CryptographicException>(() => Ring.Decrypt("v1:99:" + stored["v1:1:".Length..]));
        Assert.Contains("99", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("JBSWY3DPEHPK3PXP")]
    [InlineData("v2:1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v1:x:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v1:-1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v1:1:not base64!")]
    [InlineData("v1:1:AAAA")]
    [InlineData("v1:1:AAAA:AAAA")]
    public void Decrypt_UnknownFormat_IsRefused(string stored)
    {
        Assert.Throws<CryptographicException>(() => Ring.Decrypt(stored));
    }

    [Fact]
    public void Encrypt_BeforeInitialize_ThrowsAClearError()
    {
        var (_, ring) = database.CreateNode();

        var ex = Assert.Throws<InvalidOperationException>(() => ring.Encrypt(Secret));
        Assert.Contains("InitializeAsync", ex.Message);
    }

    [Fact]
    public void Decrypt_BeforeInitialize_ThrowsAClearError()
    {
        var stored = Ring.Encrypt(Secret);
        var (_, ring) = database.CreateNode();

        Assert.Throws<InvalidOperationException>(() => ring.Decrypt(stored));
    }

    [Fact]
    public async Task AddActiveKeyAsync_NewValuesUseTheNewKey_AndOldValuesStillDecrypt()
    {
        var old = Ring.Encrypt(Secret);

        var newId = await Ring.AddActiveKeyAsync(CancellationToken.None);
        var fresh = Ring.Encrypt(Secret);

        Assert.Equal(2, newId);
        Assert.StartsWith("v1:2:", fresh);
        Assert.Equal(Secret, Ring.Decrypt(old));
        Assert.Equal(Secret, Ring.Decrypt(fresh));
    }

    [Fact]
    public async Task AddActiveKeyAsync_LeavesExactlyOneActiveKey()
    {
        await Ring.AddActiveKeyAsync(CancellationToken.None);
        await Ring.AddActiveKeyAsync(CancellationToken.None);

        await using var db = await database.Factory.CreateDbContextAsync();
        var keys = await db.FieldKeys.OrderBy(k => k.Id).ToListAsync();
        Assert.Equal([1, 2, 3], keys.Select(k => k.Id));
        Assert.Equal([false, false, true], keys.Select(k => k.IsActive));
    }

    [Fact]
    public async Task Decrypt_OnAnotherNode_ReadsValuesOfTheFirst()
    {
        var (_, other) = database.CreateNode();
        await other.InitializeAsync(CancellationToken.None);

        Assert.Equal(Secret, other.Decrypt(Ring.Encrypt(Secret)));
        Assert.Equal(Secret, Ring.Decrypt(other.Encrypt(Secret)));
    }

    [Fact]
    public async Task Decrypt_OnAnotherNode_FindsAKeyAddedAfterItInitialised()
    {
        var (_, other) = database.CreateNode();
        await other.InitializeAsync(CancellationToken.None);

        await Ring.AddActiveKeyAsync(CancellationToken.None);
        var stored = Ring.Encrypt(Secret);

        Assert.StartsWith("v1:2:", stored);
        Assert.Equal(Secret, other.Decrypt(stored));
    }

    [Fact]
    public async Task InitializeAsync_SeveralNodesAtOnceOnAnEmptyTable_CreateOneActiveKey()
    {
        await database.ExecuteSqlAsync("DELETE FROM \"FieldKeys\"");
        var nodes = Enumerable.Range(0, 4).Select(_ => database.CreateNode().KeyRing).ToList();

        await Task.WhenAll(nodes.Select(n => n.InitializeAsync(CancellationToken.None)));

        await using var db = await database.Factory.CreateDbContextAsync();
        var key = Assert.Single(await db.FieldKeys.ToListAsync());
        Assert.True(key.IsActive);
        var stored = nodes[0].Encrypt(Secret);
        Assert.All(nodes, n => Assert.Equal(Secret, n.Decrypt(stored)));
    }

    [Fact]
    public async Task InitializeAsync_ActiveKeyExists_CreatesNoOther()
    {
        var (_, other) = database.CreateNode();

        await other.InitializeAsync(CancellationToken.None);

        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.Single(await db.FieldKeys.ToListAsync());
    }

    [Fact]
    public async Task FieldKeysTable_HoldsTheKeyWrappedByDataProtection_NotTheRawKey()
    {
        var stored = Ring.Encrypt(Secret);
        await using var db = await database.Factory.CreateDbContextAsync();
        var row = await db.FieldKeys.SingleAsync();
        var wrapped = Convert.FromBase64String(row.ProtectedMaterial);

        var rawKey = database.Protection.CreateProtector("Tessera.Keys.FieldKeys").Unprotect(wrapped);

        // The unwrapped bytes really are the key: they open what the ring sealed.
        Assert.Equal(32, rawKey.Length);
        Assert.Equal(Secret, OpenWith(rawKey, stored));
        Assert.False(wrapped.AsSpan().IndexOf(rawKey) >= 0, "The stored key material contains the raw key.");
        Assert.DoesNotContain(Convert.ToBase64String(rawKey), row.ProtectedMaterial);
        Assert.ThrowsAny<CryptographicException>(() => database.Protection.CreateProtector("Another.Purpose").Unprotect(wrapped));
    }

    private static byte[] OpenWith(byte[] key, string stored)
    {
        var parts = stored.Split(':');
        var sealedBytes = Convert.FromBase64String(parts[2]);
        var plaintext = new byte[sealedBytes.Length - 28];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(12, plaintext.Length), sealedBytes.AsSpan(12 + plaintext.Length),
            plaintext, Encoding.UTF8.GetBytes($"Tessera.Field.v1:{parts[1]}"));
        return plaintext;
    }
}
