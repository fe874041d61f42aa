using System.Text.Json;
using Microsoft.Playwright;

namespace Tessera.Portal.Tests.Browser;

/// <summary>One virtual authenticator in the page's browser tab, driven through the DevTools WebAuthn domain.</summary>
internal sealed class VirtualAuthenticator(ICDPSession cdp, string id)
{
    public Task SetPresenceAsync(bool simulated) =>
        cdp.SendAsync("WebAuthn.setAutomaticPresenceSimulation", new() { ["authenticatorId"] = id, ["enabled"] = simulated });

    public Task SetUserVerifiedAsync(bool verified) =>
        cdp.SendAsync("WebAuthn.setUserVerified", new() { ["authenticatorId"] = id, ["isUserVerified"] = verified });

    public Task OverrideResponseBitsAsync(bool bogusSignature = false, bool badUserVerification = false) =>
        cdp.SendAsync("WebAuthn.setResponseOverrideBits", new()
        {
            ["authenticatorId"] = id,
            ["isBogusSignature"] = bogusSignature,
            ["isBadUV"] = badUserVerification,
            ["isBadUP"] = false,
        });

    public async Task<IReadOnlyList<JsonElement>> CredentialsAsync()
    {
        var result = await cdp.SendAsync("WebAuthn.getCredentials", new() { ["authenticatorId"] = id });
        return result!.Value.GetProperty("credentials").EnumerateArray().Select(c => c.Clone()).ToList();
    }

    /// <summary>Removes the credential and puts back the same key material with another signature counter.</summary>
    public async Task ReplaceCredentialAsync(JsonElement credential, int signCount)
    {
        var credentialId = credential.GetProperty("credentialId").GetString()!;
        await cdp.SendAsync("WebAuthn.removeCredential", new() { ["authenticatorId"] = id, ["credentialId"] = credentialId });
        await cdp.SendAsync("WebAuthn.addCredential", new()
        {
            ["authenticatorId"] = id,
            ["credential"] = new Dictionary<string, object>
            {
                ["credentialId"] = credentialId,
                ["isResidentCredential"] = credential.GetProperty("isResidentCredential").GetBoolean(),
                ["rpId"] = credential.GetProperty("rpId").GetString()!,
                ["privateKey"] = credential.GetProperty("privateKey").GetString()!,
                ["userHandle"] = credential.GetProperty("userHandle").GetString()!,
                ["signCount"] = signCount,
            },
        });
    }
}
