using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tessera.Domain.Keys;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Delivery;

/// <summary>
/// A message queued in the database before anything tries to send it, so a crash loses nothing. The rows are the
/// queue: a drain claims the due ones (<see cref="NextAttemptAt"/>) with one conditional update.
/// </summary>
public sealed class OutboundMessage
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>The first channel: where the message goes unless that channel gives up.</summary>
    public required Channel Kind { get; init; }

    /// <summary>A phone number or an address: encrypted at rest, shown to admins only as <see cref="MaskedRecipient"/>.</summary>
    [Encrypted]
    public required string Recipient { get; init; }

    public string MaskedRecipient { get; init; } = "";

    public required string Subject { get; init; }

    /// <summary>Encrypted (it may carry a live code) and cleared once a real transport has delivered it.</summary>
    [Encrypted]
    public string? HtmlBody { get; set; }

    [Encrypted]
    public string? TextBody { get; set; }

    /// <summary>What the message is for ("sign-in", "account-email"), for admins.</summary>
    public string? Purpose { get; init; }

    /// <summary>What the message belongs to, for example "challenge:{id}": lets a caller list its messages and attempts.</summary>
    public string? Reference { get; init; }

    /// <summary>The route tried when <see cref="Kind"/> gives up, if any (for a code: the same code by email).</summary>
    public Channel? FallbackKind { get; init; }

    [Encrypted]
    public string? FallbackRecipient { get; init; }

    public string? FallbackSubject { get; init; }

    [Encrypted]
    public string? FallbackHtmlBody { get; set; }

    [Encrypted]
    public string? FallbackTextBody { get; set; }

    public MessageStatus Status { get; set; } = MessageStatus.Pending;

    /// <summary>The channel now in use: <see cref="Kind"/>, or the fallback once it has given up.</summary>
    public Channel CurrentKind { get; set; }

    /// <summary>Attempts over every channel.</summary>
    public int Attempts { get; set; }

    /// <summary>Attempts on <see cref="CurrentKind"/>; the retry schedule counts these.</summary>
    public int ChannelAttempts { get; set; }

    /// <summary>The provider that delivered it, or the last one that tried (for example "Smtp", "Gateway", "Outbox").</summary>
    public string? Transport { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>While Pending: when it is due.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>While Sending: the drain that claimed it; only that drain records the outcome.</summary>
    public Guid? ClaimToken { get; set; }

    /// <summary>While Sending: when the claim lapses and another drain may take the message over.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public bool HasRoute(Channel kind) => kind == Kind || (kind == FallbackKind && FallbackRecipient is not null);

    /// <summary>The message as the channel for <paramref name="kind"/> sends it: that route's recipient and content.</summary>
    public OutboundMessage RouteFor(Channel kind) => kind == Kind
        ? this
        : new OutboundMessage
        {
            Id = Id,
            Kind = kind,
            Recipient = FallbackRecipient!,
            Subject = FallbackSubject ?? Subject,
            HtmlBody = FallbackHtmlBody,
            TextBody = FallbackTextBody,
            Purpose = Purpose,
            Reference = Reference,
            CreatedAt = CreatedAt,
        };
}

/// <summary>Another way to reach the recipient, tried when the first channel gives up.</summary>
public sealed record MessageRoute(Channel Kind, string Recipient, string Subject, string? HtmlBody, string TextBody);

/// <summary>A message to stage in the caller's transaction (see <see cref="MessageQueue.Stage"/>).</summary>
/// <param name="MaskedRecipient">How admins see the recipient; masked from <paramref name="Recipient"/> when null.</param>
public sealed record MessageDraft(
    Channel Kind,
    string Recipient,
    string Subject,
    string? HtmlBody,
    string TextBody,
    string? Reference = null,
    MessageRoute? Fallback = null,
    string? Purpose = null,
    string? MaskedRecipient = null);

public enum MessageStatus
{
    Pending,
    Sending,
    Sent,
    Failed,
}

internal sealed class OutboundMessageConfiguration : IEntityTypeConfiguration<OutboundMessage>
{
    public void Configure(EntityTypeBuilder<OutboundMessage> builder)
    {
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.CurrentKind).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.FallbackKind).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.MaskedRecipient).HasMaxLength(320);
        builder.Property(m => m.Subject).HasMaxLength(256);
        builder.Property(m => m.FallbackSubject).HasMaxLength(256);
        builder.Property(m => m.Purpose).HasMaxLength(32);
        builder.Property(m => m.Transport).HasMaxLength(32);
        builder.Property(m => m.LastError).HasMaxLength(512);
        builder.Property(m => m.Reference).HasMaxLength(64);
        // The drain's claim: due rows by status and time.
        builder.HasIndex(m => new { m.Status, m.NextAttemptAt });
        builder.HasIndex(m => m.ClaimToken);
        builder.HasIndex(m => new { m.Transport, m.CreatedAt });
        builder.HasIndex(m => m.Reference);
    }
}
