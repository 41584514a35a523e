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

/// <summary>The <c>outcome</c> label of the request metrics; see <see cref="RequestOutcomes"/> for the mapping from statuses.</summary>
public enum RequestOutcome
{
    /// <summary>Answered successfully.</summary>
    Ok,

    /// <summary>The client's fault: bad input, unknown model, unsupported media type, payload too large, cancelled.</summary>
    ClientError,

    /// <summary>Refused by back-pressure or lifecycle: queue full (429), not ready or shutting down (503).</summary>
    Rejected,

    /// <summary>The deadline passed before the request ran (504).</summary>
    Timeout,

    /// <summary>A server fault (5xx other than 503 and 504).</summary>
    Error,
}

/// <summary>Maps HTTP and gRPC statuses to a <see cref="RequestOutcome"/>.</summary>
public static class RequestOutcomes
{
    /// <summary>2xx (and 1xx/3xx) ok; 429 and 503 rejected; 504 timeout; other 4xx client_error; other 5xx error.</summary>
    public static RequestOutcome FromHttpStatus(int statusCode) => statusCode switch
    {
        429 or 503 => RequestOutcome.Rejected,
        504 => RequestOutcome.Timeout,
        >= 400 and < 500 => RequestOutcome.ClientError,
        >= 500 => RequestOutcome.Error,
        _ => RequestOutcome.Ok,
    };

    /// <summary>
    /// From a gRPC status code (the numeric value of <c>Grpc.Core.StatusCode</c>): OK ok; RESOURCE_EXHAUSTED and
    /// UNAVAILABLE rejected; DEADLINE_EXCEEDED timeout; UNKNOWN, INTERNAL, DATA_LOSS error; the rest client_error.
    /// </summary>
    public static RequestOutcome FromGrpcStatus(int statusCode) => statusCode switch
    {
        0 => RequestOutcome.Ok,
        8 or 14 => RequestOutcome.Rejected,
        4 => RequestOutcome.Timeout,
        2 or 13 or 15 => RequestOutcome.Error,
        _ => RequestOutcome.ClientError,
    };
}

/// <summary>Label names and the fixed label values (no per-request strings are made).</summary>
internal static class MetricLabels
{
    public const string Model = "model";
    public const string Endpoint = "endpoint";
    public const string Protocol = "protocol";
    public const string Outcome = "outcome";

    /// <summary>The model label of a request naming a model this service does not serve (keeps the label set bounded).</summary>
    public const string UnknownModel = "unknown";

    private static readonly string[] Endpoints = ["classify", "embed", "infer"];
    private static readonly string[] Protocols = ["rest", "grpc", "oip-rest", "oip-grpc"];
    private static readonly string[] Outcomes = ["ok", "client_error", "rejected", "timeout", "error"];

    public static string Of(InferenceEndpoint endpoint) => Endpoints[(int)endpoint];

    public static string Of(RequestProtocol protocol) => Protocols[(int)protocol];

    public static string Of(RequestOutcome outcome) => Outcomes[(int)outcome];
}
