using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Inference.Api.Tests.Observability.Support;
using Inference.Api.Tests.Support;

namespace Inference.Api.Tests.Observability;

/// <summary>The Grafana dashboard and the Prometheus rules query only series the service exports, and promtool accepts the configs.</summary>
[Collection(ObservabilityTests.Name)]
public sealed partial class DeployConfigTests(ObservedService service)
{
    /// <summary>
    /// Series that only appear once something happened: the GPU ones as scraped by <see cref="GpuMetricsTests"/> through
    /// a fake NVML (no GPU here), and rejections, as scraped by <see cref="MetricsEndpointTests"/>.
    /// </summary>
    private static readonly string[] LazySeries =
        ["gpu_utilization_ratio", "gpu_memory_used_bytes", "gpu_memory_total_bytes", "gpu_power_watts", "inference_requests_rejected_total"];

    [Fact]
    public async Task Dashboard_EveryQueriedSeries_IsExported()
    {
        using (var classified = await service.Client.PostToAsync($"/v1/models/{ObservedServiceFactory.Model}/classify", Requests.Image(TestImages.Jpeg(90))))
        {
            Assert.Equal(HttpStatusCode.OK, classified.StatusCode);
        }

        var exported = (await PrometheusText.ScrapeAsync(service.Client)).Names.Concat(LazySeries).ToHashSet();
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Deploy("grafana/dashboards/inference.json"), TestContext.Current.CancellationToken));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToArray();
        var queried = panels
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .Concat(Regex.Matches(await File.ReadAllTextAsync(Deploy("rules.yml"), TestContext.Current.CancellationToken), "expr: (.+)").Select(m => m.Groups[1].Value))
            .SelectMany(expr => Series().Matches(expr).Select(m => m.Value))
            .Where(name => !name.StartsWith("model:", StringComparison.Ordinal))
            .ToHashSet();

        Assert.NotEmpty(queried);
        Assert.Empty(queried.Except(exported));
        string[] required = ["Latency p50 / p95 / p99", "Where the time goes", "Batch size", "Queue depth", "Rejections", "GPU utilisation", "GPU memory", "uptime"];
        Assert.All(required, title => Assert.Contains(panels, p => p.GetProperty("title").GetString()!.Contains(title, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task PrometheusConfig_Promtool_AcceptsConfigAndRules()
    {
        Assert.SkipWhen(!File.Exists("/usr/bin/promtool"), "promtool is not installed (run .ci/packages-setup.sh, which installs Debian's prometheus package).");
        var work = Directory.CreateTempSubdirectory("inference-promtool-");
        try
        {
            File.Copy(Deploy("rules.yml"), Path.Combine(work.FullName, "rules.yml"));
            var config = (await File.ReadAllTextAsync(Deploy("prometheus.yml"), TestContext.Current.CancellationToken)).Replace("/etc/prometheus/rules.yml", "rules.yml", StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(work.FullName, "prometheus.yml"), config, TestContext.Current.CancellationToken);

            var (code, output) = await PromtoolAsync(work.FullName, "check", "config", "prometheus.yml");

            Assert.True(code == 0, output);
            Assert.Contains("7 rules found", output, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<(int Code, string Output)> PromtoolAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/promtool") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }

    private static string Deploy(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "deploy", "observability", relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"deploy/observability/{relative} not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>Series names in a PromQL expression (the service's prefixes, and recorded series).</summary>
    [GeneratedRegex(@"\b(model:[a-z_:0-9]+|(inference|process|gpu|dotnet|kestrel|http)_[a-z_]+)\b")]
    private static partial Regex Series();
}
