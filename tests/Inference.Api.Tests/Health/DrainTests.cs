using System.Net;
using Inference.Api.Tests.Support;
using Inference.Contracts.Rest;
using Inference.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.Health;

/// <summary>Once draining begins, readiness is 503 and new inference requests get 503 (its own service: draining is one-way).</summary>
public sealed class DrainTests : IAsyncLifetime
{
    private readonly ServiceFactory _factory = new();
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync() => _client = await _factory.CreateReadyClientAsync();

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Requests_WhileDraining_Return503AndReadinessIs503()
    {
        _factory.Services.GetRequiredService<ModelManager>().BeginDrain();

        using var ready = await _client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
        using var live = await _client.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);
        using var classify = await _client.PostToAsync($"/v1/models/{ServiceFactory.Model}/classify", Requests.Image(TestImages.Jpeg(1)));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("draining", (await ready.ReadAsync<HealthResponse>()).Status);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        await ProblemAssert.IsProblemAsync(classify, HttpStatusCode.ServiceUnavailable, "shutting down");
    }
}
