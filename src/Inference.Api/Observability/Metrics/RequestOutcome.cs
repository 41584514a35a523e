namespace Inference.Api.Observability.Metrics;

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
