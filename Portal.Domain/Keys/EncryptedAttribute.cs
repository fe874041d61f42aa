namespace Tessera.Domain.Keys;

/// <summary>
/// Stores a <c>byte[]</c> or <c>string</c> (as UTF-8) entity property encrypted at rest (a text column holding "v1:{keyId}:{base64}"), through the
/// value converter that <see cref="FieldEncryptionModelBuilderExtensions.UseFieldEncryption"/> sets up.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class EncryptedAttribute : Attribute;
