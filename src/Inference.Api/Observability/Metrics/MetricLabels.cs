namespace Inference.Api.Observability.Metrics;

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
