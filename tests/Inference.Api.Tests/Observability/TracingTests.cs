using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Inference.Api.Tests.Observability.Support;
using Inference.Api.Tests.Support;
using Inference.Engine.Diagnostics;
using Serilog.Events;

namespace Inference.Api.Tests.Observability;

/// <summary>W3C trace context in and out, the engine's child spans and batch links, and the trace id in the request's log event.</summary>
[Collection(ObservabilityTests.Name)]
public sealed class TracingTests(ObservedService service) : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener = new();

    [Fact]
    public async Task Classify_WithTraceparent_RequestSpanIsItsChildAndResponseAndLogCarryTheTraceId()
    {
        _listener.ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or EngineTracing.SourceName;
        _listener.Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded;
        _listener.ActivityStopped = _stopped.Enqueue;
        ActivitySource.AddActivityListener(_listener);
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/models/{ObservedServiceFactory.Model}/classify")
        {
            Content = Requests.Image(TestImages.Jpeg(40)),
        };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{callerSpan.ToHexString()}-01");

        using var response = await service.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answered = Assert.Single(response.Headers.GetValues("traceparent"));
        Assert.StartsWith($"00-{traceId.ToHexString()}-", answered, StringComparison.Ordinal);

        await Waits.UntilAsync(() => Span("Microsoft.AspNetCore.Hosting.HttpRequestIn", traceId) is not null, "the request span stops");
        var requestSpan = Span("Microsoft.AspNetCore.Hosting.HttpRequestIn", traceId)!;
        Assert.Equal(callerSpan, requestSpan.ParentSpanId);
        Assert.Equal(ObservedServiceFactory.Model, requestSpan.GetTagItem(EngineTracing.ModelTag));
        Assert.Equal($"00-{traceId.ToHexString()}-{requestSpan.SpanId.ToHexString()}-01", answered);

        await Waits.UntilAsync(() => Span("inference.compute", traceId) is not null, "the compute span stops");
        foreach (var stage in new[] { "inference.preprocess", "inference.queue", "inference.compute" })
        {
            var span = Span(stage, traceId)!;
            Assert.Equal(requestSpan.SpanId, span.ParentSpanId);
            Assert.Equal(ObservedServiceFactory.Model, span.GetTagItem(EngineTracing.ModelTag));
        }

        var preprocess = Span("inference.preprocess", traceId)!;
        Assert.Equal(320, preprocess.GetTagItem("image.width"));
        Assert.Equal(240, preprocess.GetTagItem("image.height"));
        Assert.Equal(1, Span("inference.compute", traceId)!.GetTagItem(EngineTracing.BatchSizeTag));
        var batch = _stopped.Single(a => a.OperationName == "inference.compute.batch" && a.Links.Any(l => l.Context.SpanId == requestSpan.SpanId));
        Assert.Equal(1, batch.GetTagItem(EngineTracing.BatchSizeTag));
        Assert.NotEqual(traceId, batch.TraceId);

        await Waits.UntilAsync(
            () => Completion(traceId) is not null,
            $"the request's completion event is logged (got: {string.Join(" | ", service.Logs.Events.Select(e => $"{e.TraceId} {e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)}"))})");
        var logged = Completion(traceId)!;
        Assert.Equal(traceId, logged.TraceId);
        Assert.Equal($"\"{traceId.ToHexString()}\"", logged.Properties["TraceId"].ToString());
        Assert.Equal($"\"{ObservedServiceFactory.Model}\"", logged.Properties["Model"].ToString());
        Assert.Equal("200", logged.Properties["StatusCode"].ToString());
        Assert.Equal("\"POST\"", logged.Properties["RequestMethod"].ToString());
        Assert.True(logged.Properties.ContainsKey("Elapsed"));
    }

    public void Dispose() => _listener.Dispose();

    private Activity? Span(string name, ActivityTraceId traceId) =>
        _stopped.FirstOrDefault(a => a.OperationName == name && a.TraceId == traceId);

    private LogEvent? Completion(ActivityTraceId traceId) =>
        service.Logs.Events.FirstOrDefault(e =>
            e.MessageTemplate.Text.StartsWith("HTTP {RequestMethod}", StringComparison.Ordinal) && e.TraceId == traceId);
}
