namespace Tessera.Domain.Contacts;

/// <summary>
/// How a message reaches a person: the one channel type of Challenges, Delivery, Policies and the send limiter.
/// Stored and written on the wire by its <see cref="Channels.Name"/> ("sms", "email").
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ChannelJsonConverter))]
public enum Channel
{
    Email,
    Sms,
}

public static class Channels
{
    public static readonly IReadOnlyList<Channel> All = Enum.GetValues<Channel>();

    /// <summary>The lower-case name of the API, the policies and the database: "sms", "email".</summary>
    public static string Name(this Channel channel) => channel switch
    {
        Channel.Sms => "sms",
        _ => "email",
    };

    /// <summary>The channel named <paramref name="name"/> (any case, surrounding spaces ignored); null for anything else.</summary>
    public static Channel? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "sms" => Channel.Sms,
        "email" => Channel.Email,
        _ => null,
    };

    /// <summary>Enough of <paramref name="address"/> to recognise one's own number or mailbox, not enough to use it.</summary>
    public static string Mask(this Channel channel, string address) =>
        channel == Channel.Sms ? PhoneNumberParser.Mask(address) : EmailAddresses.Mask(address);
}

/// <summary>Writes a channel as its name ("sms"), reads any case: stored policies and API bodies carry the name.</summary>
public sealed class ChannelJsonConverter : System.Text.Json.Serialization.JsonConverter<Channel>
{
    public override Channel Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        Channels.Parse(reader.GetString()) ?? throw new System.Text.Json.JsonException("A channel is \"sms\" or \"email\".");

    public override void Write(System.Text.Json.Utf8JsonWriter writer, Channel value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Name());
}
