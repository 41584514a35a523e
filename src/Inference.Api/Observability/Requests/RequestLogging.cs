using System.Diagnostics;
using Inference.Engine.Models;
using Serilog;
using Serilog.AspNetCore;
using Serilog.Events;

namespace Inference.Api.Observability.Requests;

/// <summary>
/// The one request-completion event per request (Serilog's request logging): method, path, status, elapsed, and
/// the model and trace id as properties. Health probes and scrapes log at Debug, refusals (503/504) at Warning, faults at Error.
/// </summary>
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
            : IsProbe(context.Request.Path, metricsPath) ? LogEventLevel.Debug
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

    private static bool IsProbe(PathString path, string metricsPath) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(metricsPath, StringComparison.OrdinalIgnoreCase);
}
