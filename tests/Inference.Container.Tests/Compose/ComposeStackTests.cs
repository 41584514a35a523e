using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Inference.Container.Tests.Infrastructure;

namespace Inference.Container.Tests.Compose;

/// <summary>
/// docker-compose.yml as users run it: the service and Prometheus with the repository's scrape config and
/// rules. Grafana's image is not started (it cannot be pulled here); instead every query of the Grafana
/// dashboard is run against this Prometheus and must show the traffic sent.
/// </summary>
[Trait("Category", "Container")]
public sealed partial class ComposeStackTests(ServiceImageFixture fixture, ITestOutputHelper output)
{
    private const string Model = "resnet18";

    /// <summary>Series that exist only with a GPU (NVML) or after a rejection; their panels stay empty here.</summary>
    private static readonly string[] LazySeries = ["gpu_", "inference_requests_rejected_total"];

    private static readonly TimeSpan DataDeadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ComposeUp_ServiceAndPrometheus_EveryDashboardQueryAndRuleSeesTheTraffic()
    {
        fixture.SkipWithoutService();
        var ct = TestContext.Current.CancellationToken;
        var command = await ComposeStack.FindCommandAsync();
        Assert.True(command is not null, "Neither `docker compose` nor `docker-compose` answers (.ci/docker-setup.sh installs Debian's docker-compose).");
        var (prometheusImage, failure) = await DockerEnvironment.PrometheusImageAsync(
            ServiceImageFixture.RepositoryRoot, ComposeStack.DefaultImage("PROMETHEUS_IMAGE"));
        Assert.True(prometheusImage is not null, failure);

        var started = Stopwatch.StartNew();
        await using var stack = await ComposeStack.UpAsync(
            command, new Dictionary<string, string> { ["INFERENCE_IMAGE"] = ServiceImageFixture.ImageName, ["PROMETHEUS_IMAGE"] = prometheusImage }, "inference", "prometheus");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{stack.RestPort}"), Timeout = TimeSpan.FromSeconds(60) };
        await WaitReadyAsync(client, stack, ct);
        var ready = started.Elapsed;

        using var prometheus = new PrometheusClient(stack.PrometheusPort);
        List<(string Panel, string Query)> pending =
            [.. DashboardQueries.Load().Where(q => !LazySeries.Any(s => q.Query.Contains(s, StringComparison.Ordinal))),
             ("recording rule", $"model:inference_images:rate5m{{model=\"{Model}\"}}")];
        Assert.True(pending.Count > 10, $"the dashboard has only {pending.Count} queries to check");
        var image = TestImages.Jpeg();
        var sent = 0;
        var waited = Stopwatch.StartNew();
        while (pending.Count > 0 && waited.Elapsed < DataDeadline)
        {
            Assert.Equal(HttpStatusCode.OK, await PostAsync(client, image, "image/jpeg", ct));
            Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(client, "not an image"u8.ToArray(), "image/jpeg", ct));
            sent++;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var stillEmpty = new List<(string Panel, string Query)>();
            foreach (var query in pending)
            {
                if ((await prometheus.QueryAsync(query.Query, ct)).Count == 0)
                {
                    stillEmpty.Add(query);
                }
            }

            pending = stillEmpty;
        }

        Assert.True(pending.Count == 0, $"no data after {DataDeadline} of traffic for:\n{string.Join('\n', pending.Select(q => $"  [{q.Panel}] {q.Query}"))}");
        Assert.Equal([1.0], await prometheus.QueryAsync("up{job=\"image-inference\"}", ct));
        var rules = await prometheus.RulesAsync(ct);
        Assert.Equal(RuleCount(), rules.Count);
        Assert.All(rules, rule => Assert.True(rule.Error.Length == 0, $"{rule.Name}: {rule.Error}"));

        // docker compose stop: SIGTERM, the drain, exit 0 inside the file's stop_grace_period (no SIGKILL).
        var id = await stack.ContainerIdAsync("inference");
        var stopping = Stopwatch.StartNew();
        var stop = await stack.RunAsync(["stop", "inference"]);
        stopping.Stop();
        Assert.True(stop.Succeeded, stop.Tail());
        var exit = await ProcessRunner.RunAsync("docker", ["inspect", "--format", "{{.State.ExitCode}}", id], TimeSpan.FromSeconds(20));
        Assert.True(exit.Output.Trim() == "0", $"exit code {exit.Output.Trim()}:\n{await stack.LogsAsync("inference")}");
        output.WriteLine(
            $"compose up to ready {ready.TotalSeconds:F1} s; every dashboard query had data after {waited.Elapsed.TotalSeconds:F0} s " +
            $"({sent} classify + {sent} bad requests); {rules.Count} rules loaded; stop took {stopping.Elapsed.TotalSeconds:F1} s, exit 0");
    }

    private static async Task WaitReadyAsync(HttpClient client, ComposeStack stack, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(3))
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250, cancellationToken);
        }

        Assert.Fail($"the compose service was not ready after {waited.Elapsed}:\n{await stack.LogsAsync("inference")}");
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, byte[] body, string contentType, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await client.PostAsync(new Uri($"/v1/models/{Model}/classify", UriKind.Relative), content, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Recording and alerting rules in deploy/observability/rules.yml.</summary>
    private static int RuleCount() =>
        RuleLine().Count(File.ReadAllText(Path.Combine(ServiceImageFixture.RepositoryRoot, "deploy", "observability", "rules.yml")));

    [GeneratedRegex(@"^\s*- (record|alert):", RegexOptions.Multiline)]
    private static partial Regex RuleLine();
}
