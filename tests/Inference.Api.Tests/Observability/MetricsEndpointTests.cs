using System.Net;
using Inference.Api.Tests.Observability.Support;
using Inference.Api.Tests.Support;
using Inference.Engine.Runtime;

namespace Inference.Api.Tests.Observability;

/// <summary>
/// Scrapes <c>GET /metrics</c> before and after a known sequence of requests and checks every series by its name as
/// scraped, its labels and the change in its count. The compute gate is held to make queue-full and deadline exact.
/// </summary>
[Collection(ObservabilityTests.Name)]
public sealed class MetricsEndpointTests(ObservedService service)
{
    private const string Model = ObservedServiceFactory.Model;
    private const string Classify = $"/v1/models/{Model}/classify";
    private const string Duration = "inference_request_duration_seconds";

    [Fact]
    public async Task Metrics_AfterKnownRequests_ExportEverySeriesWithItsLabelsAndCounts()
    {
        var before = await PrometheusText.ScrapeAsync(service.Client);

        await SendKnownSequenceAsync();

        var after = await PrometheusText.ScrapeAsync(service.Client);

        double Delta(string name, params (string, string)[] labels) => after.Value(name, labels) - before.Value(name, labels);

        // Request duration histogram: model, endpoint, protocol, outcome.
        Assert.Equal(7, Delta($"{Duration}_count", Request("classify", "ok")));
        Assert.Equal(2, Delta($"{Duration}_count", Request("classify", "rejected")));
        Assert.Equal(1, Delta($"{Duration}_count", Request("classify", "timeout")));
        Assert.Equal(1, Delta($"{Duration}_count", Request("classify", "client_error")));
        Assert.Equal(1, Delta($"{Duration}_count", Request("embed", "ok")));
        Assert.Equal(1, Delta($"{Duration}_count", ("model", "unknown"), ("endpoint", "classify"), ("protocol", "rest"), ("outcome", "client_error")));
        Assert.Equal(7, Delta($"{Duration}_bucket", [.. Request("classify", "ok"), ("le", "+Inf")]));
        Assert.NotNull(after.Find($"{Duration}_bucket", [.. Request("classify", "ok"), ("le", "0.001")]));
        Assert.NotNull(after.Find($"{Duration}_bucket", [.. Request("classify", "ok"), ("le", "10")]));
        Assert.True(Delta($"{Duration}_sum", Request("classify", "ok")) > 0);

        // Images, rejections.
        Assert.Equal(7, Delta("inference_images_total", ("model", Model), ("endpoint", "classify")));
        Assert.Equal(1, Delta("inference_images_total", ("model", Model), ("endpoint", "embed")));
        Assert.Equal(2, Delta("inference_requests_rejected_total", ("model", Model), ("version", "1"), ("reason", "queue_full")));
        Assert.Equal(1, Delta("inference_requests_rejected_total", ("model", Model), ("version", "1"), ("reason", "deadline")));

        // Stages and batches: 8 images ran; 11 were preprocessed (the 2 refused and the 1 expired ones too).
        Assert.Equal(8, Delta("inference_batch_size_sum", ("model", Model), ("version", "1")));
        Assert.Equal(8, Delta("inference_queue_duration_seconds_count", ("model", Model), ("version", "1")));
        Assert.Equal(11, Delta("inference_preprocess_duration_seconds_count", ("model", Model), ("version", "1")));
        var batches = Delta("inference_batch_size_count", ("model", Model), ("version", "1"));
        Assert.InRange(batches, 4, 8);
        Assert.Equal(batches, Delta("inference_compute_duration_seconds_count", ("model", Model), ("version", "1")));

        // Gauges and model lifecycle.
        Assert.Equal(0, after.Find("inference_queue_depth", ("model", Model), ("version", "1"))!.Value);
        Assert.Equal(1, after.Find("inference_model_ready", ("model", Model), ("version", "1"))!.Value);
        Assert.True(after.Find("inference_model_uptime_seconds", ("model", Model), ("version", "1"))!.Value > 0);
        Assert.Equal(1, after.Value("inference_model_load_duration_seconds_count", ("model", Model), ("version", "1")));
        Assert.True(after.Find("process_uptime_seconds")!.Value > 0);

        // .NET runtime and ASP.NET Core meters; no GPU series where NVML is missing.
        Assert.Contains(after.Names, n => n.StartsWith("dotnet_gc_", StringComparison.Ordinal));
        Assert.Contains(after.Names, n => n.StartsWith("dotnet_thread_pool_", StringComparison.Ordinal));
        Assert.Contains("http_server_request_duration_seconds_count", after.Names);
        Assert.Contains(after.Names, n => n.StartsWith("kestrel_", StringComparison.Ordinal));
        Assert.DoesNotContain(after.Names, n => n.StartsWith("gpu_", StringComparison.Ordinal));

        // Low cardinality: the inference series carry only these labels (engine series: model and version).
        string[] allowed = ["model", "version", "endpoint", "protocol", "outcome", "reason", "le"];
        Assert.All(after.All.Where(s => s.Name.StartsWith("inference_", StringComparison.Ordinal)), s => Assert.Subset(allowed.ToHashSet(), s.Own.Keys.ToHashSet()));
    }

    private static (string, string)[] Request(string endpoint, string outcome) =>
        [("model", Model), ("endpoint", endpoint), ("protocol", "rest"), ("outcome", outcome)];

    /// <summary>7 classify ok, 2 queue-full, 1 deadline, 1 embed ok, 1 bad image, 1 unknown model.</summary>
    private async Task SendKnownSequenceAsync()
    {
        var model = service.Model;
        var accepted = new List<Task<HttpResponseMessage>>();
        using (service.Gate.Enter())
        {
            accepted.Add(SendAsync(1));
            await Waits.SettledAsync(() => Running(model), "the first request runs");
            accepted.AddRange([SendAsync(2), SendAsync(3), SendAsync(4)]);
            await Waits.UntilAsync(() => model.QueueDepth == 3, "three requests are queued");
            for (var i = 0; i < 2; i++)
            {
                using var full = await SendAsync(5 + i);
                Assert.Equal(HttpStatusCode.TooManyRequests, full.StatusCode);
            }
        }

        await AssertAllOkAsync(accepted);
        await Waits.UntilAsync(() => model.FreeSlots == model.SlotCount, "every slot is back");

        Task<HttpResponseMessage> running;
        using (service.Gate.Enter())
        {
            running = SendAsync(10);
            await Waits.SettledAsync(() => Running(model), "the request runs");
            using var request = new HttpRequestMessage(HttpMethod.Post, Classify) { Content = Requests.Image(TestImages.Jpeg(11)) };
            request.Headers.TryAddWithoutValidation("Request-Timeout", "100");
            using var expired = await service.Client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.GatewayTimeout, expired.StatusCode);
        }

        await AssertAllOkAsync([running, SendAsync(12), SendAsync(13)]);
        using var embed = await service.Client.PostToAsync($"/v1/models/{Model}/embed", Requests.Image(TestImages.Jpeg(14)));
        Assert.Equal(HttpStatusCode.OK, embed.StatusCode);
        using var bad = await service.Client.PostToAsync(Classify, Requests.Image([1, 2, 3, 4]));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var unknown = await service.Client.PostToAsync("/v1/models/no-such-model/classify", Requests.Image(TestImages.Jpeg(15)));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static bool Running(LoadedModel model) => model.FreeSlots == model.SlotCount - 1 && model.QueueDepth == 0;

    private Task<HttpResponseMessage> SendAsync(int seed) => service.Client.PostToAsync(Classify, Requests.Image(TestImages.Jpeg(seed)));

    private static async Task AssertAllOkAsync(IEnumerable<Task<HttpResponseMessage>> requests)
    {
        foreach (var response in await Task.WhenAll(requests))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }
    }
}
