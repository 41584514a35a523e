using System.Diagnostics;
using Inference.Api.Observability.Metrics;
using Inference.Engine.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Inference.Api.Observability.Requests;

/// <summary>
/// Per request: answers the W3C <c>traceparent</c> of the request span (REST and gRPC alike), and for inference
/// endpoints tags the span with the model and records the request's duration and outcome (its images are counted by the data plane).
/// </summary>
internal sealed class RequestTelemetryMiddleware(RequestDelegate next, RequestMetrics metrics, TimeProvider timeProvider)
{
    public const string TraceParentHeader = "traceparent";

    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state => WriteTraceParent((HttpContext)state), context);
        var target = context.GetEndpoint() is { } endpoint ? InferenceEndpointMetadata.For(endpoint) : null;
        if (target is null)
        {
            await next(context);
            return;
        }

        var model = metrics.ModelLabel(context.Request.RouteValues.TryGetValue("model", out var value) ? value as string : null);
        Activity.Current?.SetTag(EngineTracing.ModelTag, model).SetTag("inference.endpoint", target.Endpoint.ToString());
        var started = timeProvider.GetTimestamp();
        var outcome = RequestOutcome.Error;
        try
        {
            await next(context);
            outcome = context.RequestAborted.IsCancellationRequested
                ? RequestOutcome.ClientError
                : RequestOutcomes.FromHttpStatus(context.Response.StatusCode);
        }
        finally
        {
            metrics.Record(model, target.Endpoint, target.Protocol, outcome, timeProvider.GetElapsedTime(started));
        }
    }

    private static Task WriteTraceParent(HttpContext context)
    {
        if (context.Features.Get<IHttpActivityFeature>()?.Activity is { IdFormat: ActivityIdFormat.W3C, Id: { } id })
        {
            context.Response.Headers[TraceParentHeader] = id;
        }

        return Task.CompletedTask;
    }
}
