namespace Inference.Api.Observability.Metrics;

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
