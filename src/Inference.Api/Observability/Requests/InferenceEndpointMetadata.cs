using Inference.Api.Observability.Metrics;

namespace Inference.Api.Observability.Requests;

/// <summary>
/// Endpoint metadata that makes the request middleware record <c>inference_request_duration_seconds</c> for an HTTP
/// endpoint (add it with <see cref="InferenceEndpointConventions.WithInferenceMetrics{TBuilder}"/>). The REST
/// endpoints named <c>Classify</c> and <c>Embed</c> are recognised without it.
/// </summary>
public sealed record InferenceEndpointMetadata(InferenceEndpoint Endpoint, RequestProtocol Protocol)
{
    private static readonly InferenceEndpointMetadata RestClassify = new(InferenceEndpoint.Classify, RequestProtocol.Rest);
    private static readonly InferenceEndpointMetadata RestEmbed = new(InferenceEndpoint.Embed, RequestProtocol.Rest);

    /// <summary>What the endpoint records, or null for endpoints that are not inference (health, metrics, model list).</summary>
    public static InferenceEndpointMetadata? For(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<InferenceEndpointMetadata>()
        ?? endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName switch
        {
            "Classify" => RestClassify,
            "Embed" => RestEmbed,
            _ => null,
        };
}

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
