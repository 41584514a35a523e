using System.Globalization;
using System.Text.Json;
using Inference.Container.Tests.Infrastructure;

namespace Inference.Container.Tests.Fleet;

/// <summary>
/// A rolling restart behind HAProxy under a client at concurrency 8: each replica in turn gets SIGTERM (docker stop),
/// drains, exits 0, is started again and rejoins the pool. No request may fail.
/// </summary>
[Trait("Category", "Container")]
[Collection(FleetCollection.Name)]
public sealed class RollingRestartTests(FleetFixture fleet, ITestOutputHelper output)
{
    /// <summary>Load before the first SIGTERM: the steady state the rollout's latency is compared with.</summary>
    private static readonly TimeSpan SteadyState = TimeSpan.FromSeconds(15);

    /// <summary>Load after the last replica is back, so the graph shows all three serving again.</summary>
    private static readonly TimeSpan Tail = TimeSpan.FromSeconds(20);

    /// <summary>Per-replica request rate as HAProxy counts it (the graph in docs/deploy.md).</summary>
    private const string RateQuery = "sum by (server) (rate(haproxy_server_http_responses_total{proxy=\"rest\"}[10s]))";

    /// <summary>Each replica's batcher queue (what the queue-depth HPA of deploy/k8s/components scales on).</summary>
    private const string QueueQuery = "sum by (instance) (inference_queue_depth)";

    [Fact]
    public async Task RollingRestart_EachReplicaSigtermedAndRestartedUnderLoad_NoRequestFails()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = await fleet.ReadyStackAsync(ct);
        var load = FleetLoad.Start(stack.RestAddress);
        var events = new List<(string Replica, string What, TimeSpan At)>();
        var exitCodes = new Dictionary<string, int>();
        TimeSpan rolloutStart, rolloutEnd;
        IReadOnlyList<FleetLoad.Request> requests;
        try
        {
            await load.WaitForResponsesAsync(FleetLoad.Concurrency, FleetFixture.ReadyTimeout, ct);
            await Task.Delay(SteadyState, ct);
            rolloutStart = load.Now;
            foreach (var replica in FleetStack.Replicas)
            {
                events.Add((replica, "SIGTERM", load.Now));
                exitCodes[replica] = await stack.StopAsync(replica);
                events.Add((replica, "exited", load.Now));
                await stack.StartAsync(replica);
                events.Add((replica, "started", load.Now));
                await stack.WaitUpAsync(replica, FleetFixture.ReadyTimeout, ct);
                events.Add((replica, "UP", load.Now));
            }

            rolloutEnd = load.Now;
            await Task.Delay(Tail, ct);
        }
        finally
        {
            requests = await load.StopAsync();
            await load.DisposeAsync();
        }

        var failures = requests.Where(r => !r.Succeeded).ToList();
        var steady = requests.Where(r => r.Started < rolloutStart).ToList();
        var rollout = requests.Where(r => r.Started >= rolloutStart && r.Started < rolloutEnd).ToList();
        var summary =
            $"{requests.Count} requests at concurrency {FleetLoad.Concurrency}, {failures.Count} failed; steady state {Describe(steady, rolloutStart)}; " +
            $"rollout {Describe(rollout, rolloutEnd - rolloutStart)}; fleet ready {fleet.TimeToReady.TotalSeconds:F0} s after compose up\n" +
            string.Join('\n', events.Select(e => $"  {e.At.TotalSeconds,7:F1} s  {e.Replica} {e.What}"));
        output.WriteLine(summary);
        var report = await WriteReportAsync(stack, load, events, steady, rollout, requests.Count, failures.Count, ct);
        output.WriteLine($"rollout report (for scripts/plot-rollout.py): {report}");

        Assert.True(failures.Count == 0, $"{failures.Count} requests failed during the rolling restart:\n" +
            string.Join('\n', failures.Take(10).Select(f => $"  at {f.Started.TotalSeconds:F1} s: {f.Status} from {f.ServedBy ?? "-"}: {f.Error}")));
        Assert.All(exitCodes, exit => Assert.True(exit.Value == 0, $"{exit.Key} exited with {exit.Value} after SIGTERM"));
        foreach (var replica in FleetStack.Replicas)
        {
            var up = events.Single(e => e.Replica == replica && e.What == "UP").At;
            Assert.True(requests.Any(r => r.ServedBy == replica && r.Started > up), $"{replica} served nothing after it was UP again");
        }
    }

    private static string Describe(IReadOnlyList<FleetLoad.Request> requests, TimeSpan window)
    {
        var durations = requests.Select(r => r.Duration.TotalMilliseconds).Order().ToList();
        return durations.Count == 0
            ? "no requests"
            : FormattableString.Invariant(
                $"{durations.Count} requests in {window.TotalSeconds:F0} s ({durations.Count / window.TotalSeconds:F1}/s), p50 {Percentile(durations, 0.50):F0} ms, p99 {Percentile(durations, 0.99):F0} ms");
    }

    private static double Percentile(IReadOnlyList<double> sorted, double quantile) =>
        sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];

    /// <summary>
    /// Writes the rollout (events, latency figures, and the per-replica request rate from the stack's Prometheus) as
    /// JSON under INFERENCE_FLEET_RESULTS (default: the temp folder); returns the file's path.
    /// </summary>
    private static async Task<string> WriteReportAsync(
        FleetStack stack, FleetLoad load, List<(string Replica, string What, TimeSpan At)> events,
        IReadOnlyList<FleetLoad.Request> steady, IReadOnlyList<FleetLoad.Request> rollout, int requests, int failures, CancellationToken ct)
    {
        // Two scrapes after the end, so the last points are in.
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        using var prometheus = new PrometheusClient(stack.PrometheusPort);
        var end = DateTimeOffset.UtcNow;
        var series = await prometheus.QueryRangeAsync(RateQuery, load.StartedAt.AddSeconds(-10), end, TimeSpan.FromSeconds(2), ct);
        var queues = await prometheus.QueryRangeAsync(QueueQuery, load.StartedAt.AddSeconds(-10), end, TimeSpan.FromSeconds(2), ct);
        var origin = load.StartedAt.ToUnixTimeMilliseconds() / 1000.0;
        var uptime = await ProcessRunner.RunAsync("uptime", [], TimeSpan.FromSeconds(5));
        var document = new
        {
            measuredAt = load.StartedAt.ToString("u", CultureInfo.InvariantCulture),
            uptime = uptime.Output.Trim(),
            concurrency = FleetLoad.Concurrency,
            query = RateQuery,
            requests,
            failures,
            steady = Figures(steady),
            rollout = Figures(rollout),
            events = events.Select(e => new { replica = e.Replica, what = e.What, t = Math.Round(e.At.TotalSeconds, 2) }),
            series = series.Select(s => new
            {
                server = s.Labels.GetValueOrDefault("server", "?"),
                points = s.Points.Select(p => new[] { Math.Round(p.Time - origin, 2), Math.Round(p.Value, 3) }),
            }),
            queueQuery = QueueQuery,
            queues = queues.Select(s => new
            {
                instance = s.Labels.GetValueOrDefault("instance", "?"),
                points = s.Points.Select(p => new[] { Math.Round(p.Time - origin, 2), p.Value }),
            }),
        };
        var folder = Environment.GetEnvironmentVariable("INFERENCE_FLEET_RESULTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetTempPath(), "inference-container-tests", "fleet");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"rollout-{load.StartedAt:yyyyMMddTHHmmss}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }), ct);
        return path;
    }

    private static object Figures(IReadOnlyList<FleetLoad.Request> requests)
    {
        var durations = requests.Select(r => r.Duration.TotalMilliseconds).Order().ToList();
        return durations.Count == 0
            ? new { requests = 0, p50Ms = 0.0, p99Ms = 0.0, maxMs = 0.0 }
            : new { requests = durations.Count, p50Ms = Math.Round(Percentile(durations, 0.50)), p99Ms = Math.Round(Percentile(durations, 0.99)), maxMs = Math.Round(durations[^1]) };
    }
}
