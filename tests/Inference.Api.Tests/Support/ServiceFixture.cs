namespace Inference.Api.Tests.Support;

/// <summary>One ready service shared by the tests of the <see cref="ServiceTests"/> (they run one at a time).</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    public ServiceFactory Factory { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Client = await Factory.CreateReadyClientAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
