using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Inference.Container.Tests.Infrastructure;

namespace Inference.Container.Tests.Api;

/// <summary>The REST API, health and metrics of a running container, through its mapped port.</summary>
[Trait("Category", "Container")]
[Collection(RunningServiceCollection.Name)]
public sealed class RestApiTests(RunningServiceFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Health_AfterStart_LiveAndReadyAnswer200()
    {
        fixture.Image.SkipWithoutService();
        using var client = fixture.Service.CreateRestClient();
        output.WriteLine($"time to ready: {fixture.Service.TimeToReady.TotalSeconds:F1} s");

        using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);
        using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Classify_JpegBody_ReturnsDescendingProbabilitiesWithLabels()
    {
        fixture.Image.SkipWithoutService();
        using var client = fixture.Service.CreateRestClient();

        using var response = await PostImageAsync(client, "/v1/models/resnet18/classify");
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("resnet18", json.RootElement.GetProperty("model").GetString());
        var predictions = json.RootElement.GetProperty("predictions").EnumerateArray().ToList();
        Assert.NotEmpty(predictions);
        var probabilities = predictions.Select(p => p.GetProperty("probability").GetDouble()).ToList();
        Assert.All(probabilities, p => Assert.InRange(p, 0.0, 1.0));
        Assert.Equal(probabilities.OrderDescending(), probabilities);
        Assert.All(predictions, p => Assert.InRange(p.GetProperty("index").GetInt32(), 0, 999));
        Assert.All(predictions, p => Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("label").GetString())));
    }

    [Fact]
    public async Task Embed_JpegBody_ReturnsFiniteVectorOfItsDimension()
    {
        fixture.Image.SkipWithoutService();
        using var client = fixture.Service.CreateRestClient();

        using var response = await PostImageAsync(client, "/v1/models/resnet18/embed");
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var dimension = json.RootElement.GetProperty("dimension").GetInt32();
        var embedding = json.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal(512, dimension);
        Assert.Equal(dimension, embedding.Count);
        Assert.All(embedding, value => Assert.True(double.IsFinite(value)));
        Assert.Contains(embedding, value => value != 0);
    }

    [Fact]
    public async Task Models_List_IncludesResnet18()
    {
        fixture.Image.SkipWithoutService();
        using var client = fixture.Service.CreateRestClient();

        var body = await client.GetStringAsync(new Uri("/v1/models", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("resnet18", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AfterAClassify_ExposesInferenceMetricsInPrometheusText()
    {
        fixture.Image.SkipWithoutService();
        using var client = fixture.Service.CreateRestClient();
        using (var classify = await PostImageAsync(client, "/v1/models/resnet18/classify"))
        {
            Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
        }

        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("inference_request_duration_seconds", text, StringComparison.Ordinal);
        Assert.Contains("inference_queue_depth", text, StringComparison.Ordinal);
        Assert.Contains("process_uptime_seconds", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthcheck_OfTheImage_ReportsHealthy()
    {
        fixture.Image.SkipWithoutService();
        var id = fixture.Service.Container.Id;
        var status = string.Empty;

        // The image's HEALTHCHECK runs every 10 s; the service is already ready, so the next run passes.
        for (var attempt = 0; attempt < 40 && status != "healthy"; attempt++)
        {
            var inspect = await ProcessRunner.RunAsync(
                "docker", ["inspect", "--format", "{{.State.Health.Status}}", id], TimeSpan.FromSeconds(20));
            status = inspect.Output.Trim();
            if (status != "healthy")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
            }
        }

        Assert.Equal("healthy", status);
    }

    private static async Task<HttpResponseMessage> PostImageAsync(HttpClient client, string path)
    {
        var content = new ByteArrayContent(TestImages.Jpeg());
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return await client.PostAsync(new Uri(path, UriKind.Relative), content, TestContext.Current.CancellationToken);
    }
}
