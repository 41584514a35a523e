using System.Collections.Concurrent;

namespace GrpcLoad;

/// <summary>Collects per-request latencies (after warm-up) and errors, and reports throughput and percentiles.</summary>
internal sealed class LatencyRecorder
{
    private readonly ConcurrentBag<double> _milliseconds = [];
    private int _errors;

    public void Record(TimeSpan latency) => _milliseconds.Add(latency.TotalMilliseconds);

    public void RecordError() => Interlocked.Increment(ref _errors);

    public string Report(TimeSpan measured)
    {
        var sorted = _milliseconds.Order().ToArray();
        if (sorted.Length == 0)
        {
            return $"no successful requests ({_errors} errors)";
        }

        return FormattableString.Invariant(
            $"requests {sorted.Length}, errors {_errors}, throughput {sorted.Length / measured.TotalSeconds:F1} img/s, p50 {Percentile(sorted, 0.50):F1} ms, p90 {Percentile(sorted, 0.90):F1} ms, p99 {Percentile(sorted, 0.99):F1} ms");
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
