using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Inference.Api.Observability.Lifecycle;

/// <summary>The <c>Lifecycle</c> configuration section.</summary>
public sealed class LifecycleOptions
{
    public const string SectionName = "Lifecycle";

    /// <summary>
    /// After shutdown begins (SIGTERM), how long the listener stays open answering 503 (readiness 503, new requests
    /// 503 / UNAVAILABLE) before it closes and in-flight work drains. Set it to the time the load balancer takes to
    /// stop routing to a pod that went unready (a few seconds on Kubernetes); 0 closes the listener at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.Zero;
}

[OptionsValidator]
internal sealed partial class LifecycleOptionsValidator : IValidateOptions<LifecycleOptions>;
