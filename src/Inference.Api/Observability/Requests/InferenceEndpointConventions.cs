using Inference.Api.Observability.Metrics;

namespace Inference.Api.Observability.Requests;

public static class InferenceEndpointConventions
{
    /// <summary>
    /// Marks an HTTP endpoint as an inference endpoint: the request middleware then times it, labels it with the
    /// <c>{model}</c> route value, and records it once in <see cref="RequestMetrics"/> (do not also call
    /// <see cref="RequestMetrics.Record"/> for it).
    /// </summary>
    public static TBuilder WithInferenceMetrics<TBuilder>(this TBuilder builder, InferenceEndpoint endpoint, RequestProtocol protocol)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new InferenceEndpointMetadata(endpoint, protocol));
}
