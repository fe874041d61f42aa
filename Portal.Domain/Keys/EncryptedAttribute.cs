namespace Tessera.Domain.Keys;

/// <summary>Stores the marked byte[] property encrypted at rest with the field-encryption key ring.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class EncryptedAttribute : Attribute;
