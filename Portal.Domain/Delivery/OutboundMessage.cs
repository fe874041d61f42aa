using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Domain.Delivery;

/// <summary>A message queued in the database before anything tries to send it, so a crash loses nothing.</summary>
public sealed class OutboundMessage
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required MessageKind Kind { get; init; }

    public required string Recipient { get; init; }

    public required string Subject { get; init; }

    /// <summary>Cleared once a real transport has delivered it: links and codes are not kept longer than needed.</summary>
    public string? HtmlBody { get; set; }

    public string? TextBody { get; set; }

    /// <summary>What the message belongs to, for example "challenge:{id}": lets a caller list its messages and attempts.</summary>
    public string? Reference { get; init; }

    public MessageStatus Status { get; set; } = MessageStatus.Pending;

    public int Attempts { get; set; }

    /// <summary>Which channel delivered it (for example "Smtp" or "Outbox").</summary>
    public string? Transport { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>While Sending: when (Unix milliseconds) the claiming worker's lease runs out and another may retry.</summary>
    public long? LeaseExpiresAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }
}

/// <summary>A message to stage in the caller's transaction (see <see cref="MessageQueue.Stage"/>).</summary>
public sealed record MessageDraft(MessageKind Kind, string Recipient, string Subject, string? HtmlBody, string TextBody, string? Reference = null);

public enum MessageKind
{
    Email,
    Sms,
}

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
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Recipient).HasMaxLength(320);
        builder.Property(m => m.Subject).HasMaxLength(256);
        builder.Property(m => m.Transport).HasMaxLength(32);
        builder.Property(m => m.LastError).HasMaxLength(512);
        builder.HasIndex(m => new { m.Status, m.CreatedAt });
        builder.Property(m => m.Reference).HasMaxLength(64);
        builder.HasIndex(m => new { m.Transport, m.CreatedAt });
        builder.HasIndex(m => m.Reference);
    }
}
