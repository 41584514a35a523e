using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Inference.Api.Tests.Observability.Support;
using Inference.Api.Tests.Support;

namespace Inference.Api.Tests.Observability;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package, installed by <c>.ci/packages-setup.sh</c>)
/// scrapes the service on loopback every second and answers PromQL over what it scraped.
/// </summary>
[Collection(ObservabilityTests.Name)]
public sealed class PrometheusServerTests(ObservedService service)
{
    private const string Quantile = "histogram_quantile(0.5, sum by (le) (rate(inference_request_duration_seconds_bucket[1m])))";

    [Fact]
    public async Task Prometheus_ScrapingTheService_AnswersHistogramQuantileAndUptime()
    {
        var binary = FindPrometheus();
        Assert.SkipWhen(binary is null, "The prometheus binary is not installed (run .ci/packages-setup.sh, which installs Debian's prometheus package).");
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("inference-prometheus-");
        var port = FreePort();
        var config = Path.Combine(work.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: inference
                metrics_path: /metrics
                static_configs:
                  - targets: ["127.0.0.1:{service.Factory.Address.Port}"]
            """, ct);
        using var prometheus = Process.Start(new ProcessStartInfo(binary!)
        {
            ArgumentList =
            {
                $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(work.FullName, "data")}",
                $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = prometheus.StandardError.ReadToEndAsync(ct);
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(90));
            double? median = null;
            double? uptime = null;
            var seed = 100;
            while (median is null || uptime is null)
            {
                if (prometheus.HasExited)
                {
                    Assert.Fail($"prometheus exited ({prometheus.ExitCode}): {await output}");
                }

                Assert.False(deadline.IsCancellationRequested, $"Prometheus gave no answer in time (median {median}, uptime {uptime}).");
                using (var classified = await service.Client.PostToAsync($"/v1/models/{ObservedServiceFactory.Model}/classify", Requests.Image(TestImages.Jpeg(seed++))))
                {
                    Assert.Equal(HttpStatusCode.OK, classified.StatusCode);
                }

                median = await QueryAsync(api, Quantile, deadline.Token);
                uptime = await QueryAsync(api, "process_uptime_seconds", deadline.Token);
                await Task.Delay(250, deadline.Token);
            }

            // One classify on two cores takes well under the 10 s top bucket, and more than nothing.
            Assert.InRange(median.Value, 0.0001, 10);
            Assert.True(uptime > 0);
            Assert.Equal(1, await QueryAsync(api, "up{job=\"inference\"}", ct));
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync(CancellationToken.None);
            work.Delete(recursive: true);
        }
    }

    /// <summary>The single value of an instant query, or null while Prometheus has none (not up yet, no data, NaN).</summary>
    private static async Task<double?> QueryAsync(HttpClient api, string query, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await api.GetAsync(new Uri($"/api/v1/query?query={Uri.EscapeDataString(query)}", UriKind.Relative), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var result = body.RootElement.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() != 1)
            {
                return null;
            }

            var value = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            return double.IsNaN(value) ? null : value;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static string? FindPrometheus() =>
        new[] { "/usr/bin/prometheus" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "prometheus")))
            .FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
