namespace Tessera.Domain.Keys;

/// <summary>
/// Stores a <c>byte[]</c> entity property encrypted at rest (a text column holding "v1:{keyId}:{base64}"), through the
/// value converter that <see cref="FieldEncryptionModelBuilderExtensions.UseFieldEncryption"/> sets up.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class EncryptedAttribute : Attribute;
