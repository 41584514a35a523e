using System.Net;
using System.Text.RegularExpressions;
using Inference.Api.Tests.Support;
using Inference.Contracts.Rest;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inference.Api.Tests.Health;

/// <summary>
/// <c>Inference:StopOnModelLoadFailure=false</c> with one model that loads, one whose config.json has a typo and
/// one whose folder is missing: the service is ready (a pod becomes Ready), the failed models are reported as
/// failed everywhere a client looks, and no client sees a server path or an exception's text.
/// </summary>
public sealed partial class PartialLoadTests : IAsyncLifetime
{
    private const string Good = "good18";
    private const string Typo = "typo18";
    private const string Absent = "absent18";

    private readonly PartialLoadFactory _factory = new();
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync() => _client = await _factory.CreateReadyClientAsync();

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Ready_SomeModelsFailedToLoad_Returns200ListingTheFailedOnesWithASafeReason()
    {
        using var response = await _client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadAsync<HealthResponse>();
        Assert.Equal("ready", body.Status);
        Assert.Equal([(Good, "ready"), (Typo, "failed"), (Absent, "failed")], body.Models.Select(m => (m.Name, m.State)));
        Assert.Contains("'maxBatchSzie'", body.Models[1].Error, StringComparison.Ordinal);
        AssertClientSafe(await ReadTextAsync("/health/ready"));
    }

    [Fact]
    public async Task Models_SomeModelsFailedToLoad_ListsThemAsFailedWithoutPathsOrExceptionText()
    {
        var body = await ReadTextAsync("/v1/models");
        using var response = await _client.GetAsync(new Uri("/v1/models", UriKind.Relative), TestContext.Current.CancellationToken);
        var models = await response.ReadAsync<ModelListResponse>();

        Assert.Equal([(Good, "ready"), (Typo, "failed"), (Absent, "failed")], models.Models.Select(m => (m.Name, m.State)));
        Assert.All(models.Models.Skip(1), m => Assert.False(string.IsNullOrWhiteSpace(m.Error)));
        AssertClientSafe(body);
    }

    [Theory]
    [InlineData(Typo)]
    [InlineData(Absent)]
    public async Task Classify_FailedModel_Returns503NamingTheModelWithoutPaths(string model)
    {
        using var response = await _client.PostToAsync($"/v1/models/{model}/classify", Requests.Image(TestImages.Jpeg(1)));

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains($"'{model}' failed to load", body, StringComparison.Ordinal);
        AssertClientSafe(body);
    }

    [Fact]
    public async Task Classify_TheModelThatLoaded_Serves()
    {
        using var response = await _client.PostToAsync($"/v1/models/{Good}/classify", Requests.Image(TestImages.Jpeg(1)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_SomeModelsFailedToLoad_ModelReadyGaugeIsZeroForThem()
    {
        var metrics = await ReadTextAsync("/metrics");

        Assert.Matches($"inference_model_ready\\{{[^}}]*model=\"{Good}\"[^}}]*\\}} 1", metrics);
        Assert.Matches($"inference_model_ready\\{{[^}}]*model=\"{Typo}\"[^}}]*\\}} 0", metrics);
        Assert.Matches($"inference_model_ready\\{{[^}}]*model=\"{Absent}\"[^}}]*\\}} 0", metrics);
    }

    private async Task<string> ReadTextAsync(string path)
    {
        using var response = await _client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private void AssertClientSafe(string body)
    {
        Assert.DoesNotContain(_factory.Repository, body, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath().TrimEnd('/'), body, StringComparison.Ordinal);
        Assert.DoesNotMatch(AbsolutePath(), body);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
    }

    /// <summary>A Unix absolute path inside a JSON string or after a space: a quote or space, then /word/.</summary>
    [GeneratedRegex("""["'\s]/\w+/""")]
    private static partial Regex AbsolutePath();

    private sealed class PartialLoadFactory : WebApplicationFactory<Program>
    {
        public string Repository { get; } = Directory.CreateTempSubdirectory("inference-partial-load-").FullName;

        public PartialLoadFactory()
        {
            var good = Directory.CreateDirectory(Path.Combine(Repository, Good)).FullName;
            File.WriteAllText(Path.Combine(good, "config.json"), """{ "architecture": "resnet18", "maxBatchSize": 1 }""");
            var typo = Directory.CreateDirectory(Path.Combine(Repository, Typo)).FullName;
            File.WriteAllText(Path.Combine(typo, "config.json"), """{ "architecture": "resnet18", "maxBatchSzie": 4 }""");
        }

        public Task<HttpClient> CreateReadyClientAsync() => ServiceFactory.CreateReadyClientAsync(this);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Inference:ModelRepository", Repository);
            builder.UseSetting("Inference:Models:0", Good);
            builder.UseSetting("Inference:Models:1", Typo);
            builder.UseSetting("Inference:Models:2", Absent);
            builder.UseSetting("Inference:StopOnModelLoadFailure", "false");
            builder.UseSetting("Inference:ExecutionProvider", "cpu");
            builder.UseSetting("Inference:DemoWeightsCache", ServiceFactory.DemoWeightsCache);
            builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            try
            {
                Directory.Delete(Repository, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp folder left behind is harmless.
            }
        }
    }
}
