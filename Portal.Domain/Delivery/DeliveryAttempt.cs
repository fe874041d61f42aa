using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tessera.Domain.Contacts;

namespace Tessera.Domain.Delivery;

/// <summary>One try to hand a message to a provider. Never holds the body or the code.</summary>
public sealed class DeliveryAttempt
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required Guid MessageId { get; init; }

    /// <summary>1 for the first attempt of the message, over every channel.</summary>
    public required int Number { get; init; }

    public required DateTimeOffset At { get; init; }

    public required Channel Channel { get; init; }

    public required string Provider { get; init; }

    /// <summary>"sent" or "failed".</summary>
    public required string Outcome { get; init; }

    /// <summary>What the provider or the network said, trimmed; never the body.</summary>
    public string? Error { get; init; }

    public long DurationMs { get; init; }
}

public static class DeliveryOutcomes
{
    public const string Sent = "sent";
    public const string Failed = "failed";
}

internal sealed class DeliveryAttemptConfiguration : IEntityTypeConfiguration<DeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<DeliveryAttempt> builder)
    {
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Channel).HasConversion(c => c.Name(), name => Channels.Parse(name) ?? Channel.Email).HasMaxLength(8);
        builder.Property(a => a.Provider).HasMaxLength(32);
        builder.Property(a => a.Outcome).HasMaxLength(8);
        builder.Property(a => a.Error).HasMaxLength(512);
        builder.HasOne<OutboundMessage>().WithMany().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.MessageId, a.Number });
    }
}
