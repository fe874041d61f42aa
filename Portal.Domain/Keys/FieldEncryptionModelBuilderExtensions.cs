using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Tessera.Domain.Keys;

public static class FieldEncryptionModelBuilderExtensions
{
    /// <summary>
    /// Gives every entity property marked <see cref="EncryptedAttribute"/> a converter through <paramref name="encryptor"/>.
    /// Call it after the entity configurations, so that it sees every entity type. The model then holds this encryptor:
    /// the context must key its model cache by it (<see cref="FieldEncryptionModelCacheKeyFactory"/>).
    /// </summary>
    public static ModelBuilder UseFieldEncryption(this ModelBuilder builder, IFieldEncryptor encryptor)
    {
        var converter = new ValueConverter<byte[], string>(v => encryptor.Encrypt(v), v => encryptor.Decrypt(v));
        // By content: a new array with the same bytes is no change, so no needless re-encryption on save.
        var comparer = new ValueComparer<byte[]>(
            (a, b) => a == null ? b == null : b != null && a.SequenceEqual(b),
            v => v.Aggregate(0, (hash, b) => HashCode.Combine(hash, b)),
            v => v.ToArray());
        // Text (recipients, message bodies) goes through the same cipher as UTF-8 bytes.
        var textConverter = new ValueConverter<string, string>(
            v => encryptor.Encrypt(System.Text.Encoding.UTF8.GetBytes(v)),
            v => System.Text.Encoding.UTF8.GetString(encryptor.Decrypt(v)));

        foreach (var entityType in builder.Model.GetEntityTypes())
        {
            foreach (var property in entityType.GetDeclaredProperties())
            {
                if (property.PropertyInfo?.GetCustomAttribute<EncryptedAttribute>() is null)
                {
                    continue;
                }
                if (property.ClrType == typeof(string))
                {
                    property.SetValueConverter(textConverter);
                    continue;
                }
                if (property.ClrType != typeof(byte[]))
                {
                    throw new InvalidOperationException(
                        $"{entityType.DisplayName()}.{property.Name} is marked [Encrypted] but is not a byte[] or string: only those can be encrypted.");
                }
                property.SetValueConverter(converter);
                property.SetValueComparer(comparer);
            }
        }
        return builder;
    }
}
