using Bunit;
using MudBlazor.Services;

namespace Tessera.Portal.Tests.Support;

/// <summary>
/// A bUnit context with MudBlazor's services and loose JS interop. MudBlazor registers services that are only
/// IAsyncDisposable, so xunit's synchronous Dispose would throw: the context is disposed asynchronously first
/// (IAsyncLifetime.DisposeAsync runs before Dispose, which then has nothing left to do).
/// </summary>
public abstract class MudComponentTest : BunitContext, IAsyncLifetime
{
    protected MudComponentTest()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await DisposeTestAsync();
    }

    /// <summary>Releases what a test class set up itself, after the context is gone.</summary>
    protected virtual Task DisposeTestAsync() => Task.CompletedTask;
}
