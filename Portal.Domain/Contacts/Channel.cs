namespace Tessera.Domain.Contacts;

/// <summary>
/// How a message reaches a person: the one channel type of Challenges, Delivery, Policies and the send limiter.
/// Stored and written on the wire by its <see cref="Channels.Name"/> ("sms", "email", "push").
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ChannelJsonConverter))]
public enum Channel
{
    Email,
    Sms,

    /// <summary>A Web Push notification to one of a user's push devices; its recipient is the device's id.</summary>
    Push,
}

public static class Channels
{
    public static readonly IReadOnlyList<Channel> All = Enum.GetValues<Channel>();

    /// <summary>The lower-case name of the API, the policies and the database: "sms", "email".</summary>
    public static string Name(this Channel channel) => channel switch
    {
        Channel.Sms => "sms",
        Channel.Push => "push",
        _ => "email",
    };

    /// <summary>The channel named <paramref name="name"/> (any case, surrounding spaces ignored); null for anything else.</summary>
    public static Channel? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "sms" => Channel.Sms,
        "email" => Channel.Email,
        "push" => Channel.Push,
        _ => null,
    };

    /// <summary>Enough of <paramref name="address"/> to recognise one's own number or mailbox, not enough to use it.</summary>
    /// A push device's id says nothing about anyone, so it is shown as it is.
    public static string Mask(this Channel channel, string address) => channel switch
    {
        Channel.Sms => PhoneNumberParser.Mask(address),
        Channel.Push => address,
        _ => EmailAddresses.Mask(address),
    };
}

/// <summary>Writes a channel as its name ("sms"), reads any case: stored policies and API bodies carry the name.</summary>
public sealed class ChannelJsonConverter : System.Text.Json.Serialization.JsonConverter<Channel>
{
    public override Channel Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        Channels.Parse(reader.GetString()) ?? throw new System.Text.Json.JsonException("A channel is \"sms\", \"email\" or \"push\".");

    public override void Write(System.Text.Json.Utf8JsonWriter writer, Channel value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Name());
}
