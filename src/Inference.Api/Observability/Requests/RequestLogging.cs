using System.Diagnostics;
using Inference.Engine.Models;
using Microsoft.AspNetCore.Http.Features;
using Serilog;
using Serilog.AspNetCore;
using Serilog.Events;

namespace Inference.Api.Observability.Requests;

/// <summary>
/// The one request-completion event per request (Serilog's request logging): method, path, status, elapsed, and
/// the model and trace id as properties. Health probes, scrapes and overload refusals (429, gRPC RESOURCE_EXHAUSTED) log at
/// Debug, other refusals (503/504) at Warning, faults at Error.
/// </summary>
/// <remarks>
/// Under overload a refusal is the expected answer and comes thousands of times a second: one Information line each
/// wrote 5.9 MB in 30 s at 256 connections. The engine logs them as one aggregated line per model per interval instead.
/// </remarks>
internal static class RequestLogging
{
    public const string MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";

    public static void Configure(RequestLoggingOptions options, string metricsPath)
    {
        options.MessageTemplate = MessageTemplate;
        // A probe's 503 (still loading, draining) and the expected refusals (503 not ready / shutting down,
        // 504 deadline) are not faults: only an exception or another 5xx logs at Error.
        options.GetLevel = (context, _, error) =>
            error is not null ? LogEventLevel.Error
            : IsProbe(context.Request.Path, metricsPath) || IsOverloadRefusal(context) ? LogEventLevel.Debug
            : context.Response.StatusCode is 503 or 504 ? LogEventLevel.Warning
            : context.Response.StatusCode >= 500 ? LogEventLevel.Error
            : LogEventLevel.Information;
        options.EnrichDiagnosticContext = Enrich;
    }

    private static void Enrich(IDiagnosticContext diagnostics, HttpContext context)
    {
        if (context.Request.RouteValues.TryGetValue("model", out var value) && value is string model)
        {
            // The served model's own name only: a client's unknown name is not echoed into the logs.
            var catalog = context.RequestServices.GetRequiredService<IModelCatalog>();
            diagnostics.Set("Model", catalog.Find(model)?.Name ?? "unknown");
        }

        if (Activity.Current is { } activity)
        {
            diagnostics.Set("TraceId", activity.TraceId.ToHexString());
        }
    }

    /// <summary>429, or a gRPC call answered RESOURCE_EXHAUSTED (8) in its trailers or a trailers-only response.</summary>
    internal static bool IsOverloadRefusal(HttpContext context) =>
        context.Response.StatusCode == StatusCodes.Status429TooManyRequests
        || IsResourceExhausted(context.Response.Headers)
        || (context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { } trailers && IsResourceExhausted(trailers));

    private static bool IsResourceExhausted(IHeaderDictionary headers) =>
        headers.TryGetValue("grpc-status", out var status) && status == "8";

    private static bool IsProbe(PathString path, string metricsPath) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(metricsPath, StringComparison.OrdinalIgnoreCase);
}
