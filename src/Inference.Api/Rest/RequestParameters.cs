using System.Globalization;
using Inference.Api.DataPlane;
using Inference.Api.Errors;
using Inference.Engine.Inference;
using Inference.Preprocessing;

namespace Inference.Api.Rest;

/// <summary>Parses and checks the query parameters and headers of the REST inference endpoints.</summary>
internal static class RequestParameters
{
    public const string RequestTimeoutHeader = "Request-Timeout";

    /// <summary>The requested <c>top_k</c> (0 when absent); the data plane's one rule turns it into a count.</summary>
    public static long TopK(HttpRequest request)
    {
        var raw = request.Query["top_k"];
        if (raw.Count == 0)
        {
            return 0;
        }

        return raw.Count == 1 && long.TryParse(raw[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var k) && k >= 0
            ? k
            : throw BadRequest($"top_k must be 0 (the default, {InferenceDataPlane.DefaultTopK}) or a positive whole number; got '{ErrorTable.Echo(raw)}'.");
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
            throw BadRequest($"The {RequestTimeoutHeader} header must be a whole number of milliseconds from 1 to 3600000; got '{ErrorTable.Echo(raw)}'.");
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
                _ => throw BadRequest($"mode must be 'exact' or 'fast'; got '{ErrorTable.Echo(raw)}'."),
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
            : throw BadRequest($"{name} must be 'true' or 'false'; got '{ErrorTable.Echo(raw)}'.");
    }

    private static ApiException BadRequest(string detail) => new(ApiErrorCode.InvalidParameter, detail);
}
