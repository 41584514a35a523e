using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Inference.Api.Observability;

/// <summary>The <c>Observability</c> configuration section.</summary>
public sealed class ObservabilityOptions
{
    public const string SectionName = "Observability";

    /// <summary>Where Prometheus scrapes the metrics text.</summary>
    [Required]
    [RegularExpression("^/[A-Za-z0-9/_-]*$", ErrorMessage = "Observability:MetricsPath must be a path starting with '/'.")]
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>How often the GPUs are read (not per scrape).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan GpuSampleInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// OTLP collector for metrics and traces (e.g. <c>http://otel-collector:4317</c>). Export is on when this or the
    /// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> and the other standard
    /// variables apply.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>The <c>service.name</c> resource attribute of exported metrics and traces.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ServiceName { get; set; } = "inference-api";
}

[OptionsValidator]
internal sealed partial class ObservabilityOptionsValidator : IValidateOptions<ObservabilityOptions>;
