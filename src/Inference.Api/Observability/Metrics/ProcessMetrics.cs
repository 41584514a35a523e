using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Inference.Api.Observability.Metrics;

/// <summary><c>process_uptime_seconds</c>: seconds since the process started, observed at collection time.</summary>
public sealed class ProcessMetrics
{
    public const string MeterName = "Inference.Process";

    public ProcessMetrics(IMeterFactory meterFactory, TimeProvider timeProvider)
        : this(meterFactory, timeProvider, ProcessStart())
    {
    }

    internal ProcessMetrics(IMeterFactory meterFactory, TimeProvider timeProvider, DateTimeOffset startedAt)
    {
        StartedAt = startedAt;
        meterFactory.Create(MeterName).CreateObservableGauge(
            "process.uptime", () => Math.Max(0, (timeProvider.GetUtcNow() - startedAt).TotalSeconds), "s", "Seconds since the process started.");
    }

    public DateTimeOffset StartedAt { get; }

    private static DateTimeOffset ProcessStart()
    {
        using var process = Process.GetCurrentProcess();
        return new DateTimeOffset(process.StartTime);
    }
}
