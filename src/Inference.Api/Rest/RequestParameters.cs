using System.Globalization;
using Inference.Engine.Inference;
using Inference.Preprocessing;

namespace Inference.Api.Rest;

/// <summary>Parses and checks the query parameters and headers of the REST inference endpoints.</summary>
internal static class RequestParameters
{
    public const int DefaultTopK = 5;
    public const string RequestTimeoutHeader = "Request-Timeout";

    public static int TopK(HttpRequest request, int numClasses)
    {
        var raw = request.Query["top_k"];
        if (raw.Count == 0)
        {
            return Math.Min(DefaultTopK, numClasses);
        }

        if (raw.Count > 1 || !int.TryParse(raw[0], NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1 || k > numClasses)
        {
            throw BadRequest($"top_k must be a whole number from 1 to {numClasses} (the model's class count); got '{raw}'.");
        }

        return k;
    }

    public static bool Normalize(HttpRequest request) => Flag(request, "normalize");

    /// <summary>The request's options: the <c>Request-Timeout</c> header (ms) and <c>?mode=exact|fast</c>.</summary>
    public static InferenceRequestOptions Options(HttpRequest request, InferenceOutputs outputs) => new()
    {
        Timeout = Timeout(request),
        DecodeMode = Mode(request),
        Outputs = outputs,
    };

    private static TimeSpan? Timeout(HttpRequest request)
    {
        var raw = request.Headers[RequestTimeoutHeader];
        if (raw.Count == 0)
        {
            return null;
        }

        if (raw.Count > 1 || !long.TryParse(raw[0], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) ||
            milliseconds is < 1 or > 3_600_000)
        {
            throw BadRequest($"The {RequestTimeoutHeader} header must be a whole number of milliseconds from 1 to 3600000; got '{raw}'.");
        }

        return TimeSpan.FromMilliseconds(milliseconds);
    }

    private static DecodeMode? Mode(HttpRequest request)
    {
        var raw = request.Query["mode"];
        return raw.Count == 0
            ? null
            : raw[0] switch
            {
                "exact" => DecodeMode.Exact,
                "fast" => DecodeMode.Fast,
                _ => throw BadRequest($"mode must be 'exact' or 'fast'; got '{raw}'."),
            };
    }

    private static bool Flag(HttpRequest request, string name)
    {
        var raw = request.Query[name];
        if (raw.Count == 0)
        {
            return false;
        }

        return raw.Count == 1 && bool.TryParse(raw[0], out var value)
            ? value
            : throw BadRequest($"{name} must be 'true' or 'false'; got '{raw}'.");
    }

    private static ApiProblemException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Invalid parameter", detail);
}
