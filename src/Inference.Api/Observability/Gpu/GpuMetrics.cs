using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Inference.Api.Observability.Gpu;

/// <summary>
/// Samples every GPU on an interval (<c>Observability:GpuSampleInterval</c>, default 2 s; never per scrape) and
/// exports the latest reading as gauges labelled <c>gpu</c> (index) and <c>uuid</c>: gpu_utilization_ratio,
/// gpu_memory_used_bytes, gpu_memory_total_bytes, gpu_power_watts. Where NVML is missing it logs that once at
/// start-up and creates no instrument, so no GPU series is exported.
/// </summary>
internal sealed class GpuMetrics(
    IGpuReader reader, IMeterFactory meterFactory, IOptions<ObservabilityOptions> options, TimeProvider timeProvider, ILogger<GpuMetrics> logger)
    : BackgroundService
{
    public const string MeterName = "Inference.Gpu";

    private volatile Reading[] _latest = [];
    private bool _readFailed;

    /// <summary>Set once NVML opened and the instruments exist.</summary>
    public bool IsExporting { get; private set; }

    /// <summary>Reads every GPU now (the sampling loop's step).</summary>
    public void Sample()
    {
        try
        {
            _latest = reader.Read().Select(s => new Reading(s, [new("gpu", s.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("uuid", s.Uuid)])).ToArray();
            _readFailed = false;
        }
        catch (Exception e) when (e is NvmlException or InvalidOperationException)
        {
            _latest = [];
            if (!_readFailed)
            {
                _readFailed = true;
                ObservabilityLog.GpuReadFailed(logger, e.Message);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (!reader.TryOpen(out var reason))
        {
            ObservabilityLog.GpuMetricsUnavailable(logger, reason);
            return;
        }

        try
        {
            Sample();
            CreateInstruments();
            ObservabilityLog.GpuMetricsEnabled(logger, reason, string.Join(", ", _latest.Select(r => $"{r.Sample.Index}:{r.Sample.Uuid}")), options.Value.GpuSampleInterval);
            using var timer = new PeriodicTimer(options.Value.GpuSampleInterval, timeProvider);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Sample();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            reader.Dispose();
        }
    }

    private void CreateInstruments()
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("gpu.utilization.ratio", () => Observe(s => s.Utilization), "1", "Fraction of the last sample period in which a kernel ran (0 to 1).");
        meter.CreateObservableGauge("gpu.memory.used", () => Observe(s => (double)s.MemoryUsedBytes), "By", "GPU memory in use.");
        meter.CreateObservableGauge("gpu.memory.total", () => Observe(s => (double)s.MemoryTotalBytes), "By", "GPU memory installed.");
        meter.CreateObservableGauge("gpu.power", () => Observe(s => s.PowerWatts), "W", "Board power draw.");
        IsExporting = true;
    }

    private IEnumerable<Measurement<double>> Observe(Func<GpuSample, double?> value)
    {
        foreach (var reading in _latest)
        {
            if (value(reading.Sample) is { } v)
            {
                yield return new Measurement<double>(v, reading.Tags);
            }
        }
    }

    private sealed record Reading(GpuSample Sample, KeyValuePair<string, object?>[] Tags);
}
