using System.Net;
using Inference.Api.Tests.Observability.Support;
using Inference.Api.Tests.Support;
using Inference.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Inference.Api.Tests.Observability;

/// <summary>
/// Graceful drain on a real Kestrel port: shutdown begins while a slow batch is running and queued; readiness
/// answers 503 while the listener is still open, new requests get 503, every accepted request completes with 200,
/// and only then does the listener close.
/// </summary>
[Collection(OwnServiceTests.Name)]
public sealed class KestrelDrainTests
{
    private const string Classify = $"/v1/models/{ObservedServiceFactory.Model}/classify";

    [Fact]
    public async Task Shutdown_WithRunningAndQueuedRequests_CompletesThemAndRefusesNewOnesBeforeClosing()
    {
        var factory = new ObservedServiceFactory(shutdownDelay: TimeSpan.FromSeconds(5));
        Task? stopped = null;
        try
        {
            await factory.StartAsync();
            stopped = await DrainAsync(factory);
        }
        finally
        {
            // One stop only: a second, concurrent dispose would hide the failure that brought us here.
            await (stopped ?? factory.DisposeAsync().AsTask()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    private static async Task<Task> DrainAsync(ObservedServiceFactory factory)
    {
        using var client = factory.NewClient();
        var gate = factory.Services.GetRequiredService<ComputeGate>();
        var model = factory.Services.GetRequiredService<ModelManager>().GetServing(ObservedServiceFactory.Model);
        var accepted = new List<Task<HttpResponseMessage>>();
        Task stopped;
        using (gate.Enter())
        {
            accepted.Add(client.PostToAsync(Classify, Requests.Image(TestImages.Jpeg(80))));
            await Waits.SettledAsync(() => model.FreeSlots == model.SlotCount - 1 && model.QueueDepth == 0, "the first request runs");
            accepted.AddRange([client.PostToAsync(Classify, Requests.Image(TestImages.Jpeg(81))), client.PostToAsync(Classify, Requests.Image(TestImages.Jpeg(82)))]);
            await Waits.UntilAsync(() => model.QueueDepth == 2, "two requests are queued");

            // As on SIGTERM: the lifetime signals stopping, then the host stops.
            factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            stopped = Task.Run(async () => await factory.DisposeAsync(), TestContext.Current.CancellationToken);

            using var fresh = factory.NewClient();
            using var ready = await fresh.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using var live = await fresh.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            using var refused = await fresh.PostToAsync(Classify, Requests.Image(TestImages.Jpeg(83)));
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "shutting down");
            var scraped = await PrometheusText.ScrapeAsync(fresh);
            Assert.Equal(1, scraped.Value("inference_requests_rejected_total", ("model", ObservedServiceFactory.Model), ("version", "1"), ("reason", "shutdown")));
            Assert.Equal(1, scraped.Value(
                "inference_request_duration_seconds_count",
                ("model", ObservedServiceFactory.Model), ("endpoint", "classify"), ("protocol", "rest"), ("outcome", "rejected")));
            Assert.Equal(0, scraped.Value("inference_model_ready", ("model", ObservedServiceFactory.Model), ("version", "1")));
            Assert.False(stopped.IsCompleted);
        }

        foreach (var response in await Task.WhenAll(accepted))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        await stopped.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        using var after = factory.NewClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => after.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken));
        return stopped;
    }
}
