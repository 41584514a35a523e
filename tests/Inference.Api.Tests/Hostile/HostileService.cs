using System.Net;
using Google.Protobuf;
using Grpc.Net.Client;
using Inference.Api.Tests.Grpc.RealService;
using Inference.Api.Tests.Support;
using Inference.Contracts.Grpc.V1;
using Inference.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Sdk;
using Xunit.v3;

namespace Inference.Api.Tests.Hostile;

/// <summary>
/// One real service on real Kestrel sockets (REST over HTTP/1.1, gRPC over HTTP/2 as in production, where header
/// limits such as grpc-message's size apply) shared by every hostile group; the groups run one at a time.
/// </summary>
public sealed class HostileService : IAsyncLifetime
{
    /// <summary>Generous: a case that queued images (a batch over capacity) waits for them to run on a loaded CI machine.</summary>
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    private KestrelService _service = null!;

    public HttpClient Client { get; private set; } = null!;

    public GrpcChannel Channel => _service.Channel;

    public async ValueTask InitializeAsync()
    {
        _service = await KestrelService.StartAsync();
        Client = new HttpClient { BaseAddress = _service.RestAddress };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _service.DisposeAsync();
    }

    /// <summary>After a hostile case: <c>/health/ready</c> still answers 200 and both models come back to idle.</summary>
    public async Task AssertReadyAndIdleAsync()
    {
        using var ready = await Client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        await AssertIdleAsync();
    }

    /// <summary>
    /// Both models come back to idle with every input slot returned: nothing a case started is left queued or holding
    /// a slot. Also run before each case, so that a case that failed early cannot spill its queued images into the next.
    /// </summary>
    public async Task AssertIdleAsync()
    {
        var manager = _service.Services.GetRequiredService<ModelManager>();
        foreach (var name in new[] { ServiceFactory.Model, ServiceFactory.WideModel })
        {
            var model = manager.GetServing(name);
            using var settling = new CancellationTokenSource(SettleTimeout);
            while (model.QueueDepth != 0 || model.InFlight != 0 || model.FreeSlots != model.SlotCount)
            {
                Assert.False(
                    settling.IsCancellationRequested,
                    $"{name} did not come back to idle: queue {model.QueueDepth}, in flight {model.InFlight}, free slots {model.FreeSlots} of {model.SlotCount}.");
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>After a group: ready, and a valid image still classifies over REST and gRPC.</summary>
    public async Task AssertStillServingAsync()
    {
        await AssertReadyAndIdleAsync();
        var image = TestImages.Jpeg(4242, 96, 64);
        using (var classify = await Client.PostToAsync($"/v1/models/{ServiceFactory.Model}/classify", Requests.Image(image)))
        {
            Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
        }

        var grpc = await new ImageInference.ImageInferenceClient(Channel).ClassifyAsync(
            new ClassifyRequest { Model = ServiceFactory.Model, Image = ByteString.CopyFrom(image) },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(5, grpc.Predictions.Count);
    }
}

/// <summary>A hostile group: its cases share the one service, and each starts once the models are idle.</summary>
public abstract class HostileGroup(HostileService service) : IAsyncLifetime
{
    protected HostileService Service => service;

    public async ValueTask InitializeAsync() => await service.AssertIdleAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>The hostile groups: one service, one group at a time.</summary>
[CollectionDefinition(Name)]
public sealed class HostileCollection : ICollectionFixture<HostileService>
{
    public const string Name = "hostile";

    /// <summary>The method name part that marks a group's closing check, which <see cref="GroupCheckLastOrderer"/> runs last.</summary>
    public const string GroupCheck = "_AfterAllCases_";
}

/// <summary>Keeps xunit's order of a group's cases and runs the group's closing check (<see cref="HostileCollection.GroupCheck"/>) after them all.</summary>
public sealed class GroupCheckLastOrderer : ITestCaseOrderer
{
    public IReadOnlyCollection<TTestCase> OrderTestCases<TTestCase>(IReadOnlyCollection<TTestCase> testCases)
        where TTestCase : notnull, ITestCase =>
        [.. testCases.OrderBy(static t => t.TestMethodName?.Contains(HostileCollection.GroupCheck, StringComparison.Ordinal) ?? false)];
}
