namespace Inference.Api.Observability.Metrics;

/// <summary>The <c>protocol</c> label of the request metrics.</summary>
public enum RequestProtocol
{
    /// <summary>The service's own REST API (<c>/v1/models/...</c>).</summary>
    Rest,

    /// <summary>The service's own gRPC API.</summary>
    Grpc,

    /// <summary>Open Inference Protocol over REST (<c>/v2/models/...</c>).</summary>
    OipRest,

    /// <summary>Open Inference Protocol over gRPC.</summary>
    OipGrpc,
}
