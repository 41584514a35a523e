namespace Inference.Api.Observability;

/// <summary>The observability set-up's log events (source-generated).</summary>
internal static partial class ObservabilityLog
{
    [LoggerMessage(3001, LogLevel.Information, "GPU metrics off: {Reason}. The service runs normally and exports no gpu_* series.")]
    public static partial void GpuMetricsUnavailable(ILogger logger, string reason);

    [LoggerMessage(3002, LogLevel.Information, "GPU metrics on through NVML: {Gpus} [{Devices}], sampled every {Interval}")]
    public static partial void GpuMetricsEnabled(ILogger logger, string gpus, string devices, TimeSpan interval);

    [LoggerMessage(3003, LogLevel.Warning, "Reading the GPUs through NVML failed; GPU series are empty until a read succeeds: {Reason}")]
    public static partial void GpuReadFailed(ILogger logger, string reason);

    [LoggerMessage(3004, LogLevel.Information, "Metrics: Prometheus text at {Path}; OTLP export of metrics and traces {Otlp}")]
    public static partial void Exporters(ILogger logger, string path, string otlp);

    [LoggerMessage(3005, LogLevel.Information, "Shutdown began: readiness is 503 and new requests get 503; the listener stays open for {Delay} before in-flight work drains")]
    public static partial void ShutdownDelay(ILogger logger, TimeSpan delay);
}
