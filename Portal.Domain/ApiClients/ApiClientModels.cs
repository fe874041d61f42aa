namespace Tessera.Domain.ApiClients;

/// <summary>Returned once, at creation: <paramref name="Key"/> is not stored anywhere and cannot be shown again.</summary>
public sealed record ApiClientCreated(string Id, string Name, string KeyPrefix, string Key);

public sealed record ApiClientView(
    string Id, string Name, string KeyPrefix, DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>The caller of an API request, once its key has been accepted.</summary>
public sealed record AuthenticatedClient(string Id, string Name);
