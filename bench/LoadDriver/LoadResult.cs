using System.Globalization;

namespace Inference.Bench;

/// <summary>What one closed-loop run measured.</summary>
internal sealed record LoadResult(string Target, int Concurrency, TimeSpan Elapsed, long Completed, long Failed, double[] LatenciesMs)
{
    public double Throughput => Completed / Elapsed.TotalSeconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }

        var sorted = LatenciesMs.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Target}: concurrency {Concurrency}, {Elapsed.TotalSeconds:F1}s, {Completed} ok, {Failed} failed, " +
        $"{Throughput:F1} images/s, p50 {Percentile(50):F1} ms, p90 {Percentile(90):F1} ms, p99 {Percentile(99):F1} ms");

    /// <summary>The same as one machine-readable line of key=value pairs (what bench/compare.sh reads).</summary>
    public string ToKeyValues(string mode, string model) => string.Create(
        CultureInfo.InvariantCulture,
        $"load mode={mode} model={model} concurrency={Concurrency} seconds={Elapsed.TotalSeconds:F2} ok={Completed} failed={Failed} " +
        $"img_s={Throughput:F2} p50_ms={Percentile(50):F2} p99_ms={Percentile(99):F2}");
}
