using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Tessera.Domain.Keys;

/// <summary>A context whose model carries converters bound to one <see cref="IFieldEncryptor"/>.</summary>
internal interface IFieldEncryptingContext
{
    IFieldEncryptor FieldEncryptor { get; }
}

/// <summary>
/// EF caches one model per context type for the whole process, but the encrypted-column converters are bound to one
/// encryptor: without the encryptor in the key, a second host in the same process (tests) would encrypt with the
/// first host's key ring.
/// </summary>
internal sealed class FieldEncryptionModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        (context.GetType(), (context as IFieldEncryptingContext)?.FieldEncryptor, designTime);
}
