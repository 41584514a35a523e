namespace Inference.Api.Observability.Metrics;

/// <summary>The <c>endpoint</c> label of the request metrics.</summary>
public enum InferenceEndpoint
{
    /// <summary>Top-k classification.</summary>
    Classify,

    /// <summary>Feature embedding.</summary>
    Embed,

    /// <summary>Open Inference Protocol <c>infer</c>: raw tensors in and out.</summary>
    Infer,
}
