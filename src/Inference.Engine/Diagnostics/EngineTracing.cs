using System.Diagnostics;
using Inference.Engine.Runtime;
using Inference.Preprocessing;

namespace Inference.Engine.Diagnostics;

/// <summary>
/// The engine's spans (ActivitySource <see cref="SourceName"/>), children of the request span that was current
/// when the image was submitted: <c>inference.preprocess</c> (decode, resize, crop, normalise; image size),
/// <c>inference.queue</c> (enqueue to batch start) and <c>inference.compute</c> (the forward pass, with the batch
/// size). Each batch also gets one <c>inference.compute.batch</c> span that links to the spans of its requests.
/// Nothing is allocated when no listener samples the source.
/// </summary>
public static class EngineTracing
{
    public const string SourceName = "Inference.Engine";

    public const string ModelTag = "inference.model";
    public const string BatchSizeTag = "inference.batch.size";

    internal static readonly ActivitySource Source = new(SourceName);

    internal static Activity? StartPreprocess(string model, int encodedBytes)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("inference.preprocess");
        activity?.SetTag(ModelTag, model).SetTag("image.bytes", encodedBytes);
        return activity;
    }

    internal static void Preprocessed(Activity? activity, PreprocessResult result) =>
        activity?.SetTag("image.width", result.SourceWidth).SetTag("image.height", result.SourceHeight).SetTag("image.format", result.Format);

    internal static void Failed(Activity? activity, Exception error) => activity?.SetStatus(ActivityStatusCode.Error, error.Message);

    /// <summary>Records the queue and compute spans of a batch that ran from <paramref name="startedAt"/> to <paramref name="endedAt"/>.</summary>
    internal static void BatchRan(string model, IReadOnlyList<InferenceWorkItem> batch, DateTimeOffset startedAt, DateTimeOffset endedAt)
    {
        if (!Source.HasListeners())
        {
            return;
        }

        // Executor threads are long-lived and may carry the context of whichever request started them.
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            var links = new List<ActivityLink>(batch.Count);
            foreach (var item in batch)
            {
                if (item.TraceContext != default)
                {
                    links.Add(new ActivityLink(item.TraceContext));
                }
            }

            var batchContext = default(ActivityContext);
            using (var compute = Source.StartActivity("inference.compute.batch", ActivityKind.Internal, default(ActivityContext), links: links, startTime: startedAt))
            {
                if (compute is not null)
                {
                    compute.SetTag(ModelTag, model).SetTag(BatchSizeTag, batch.Count);
                    compute.SetEndTime(endedAt.UtcDateTime);
                    batchContext = compute.Context;
                }
            }

            foreach (var item in batch)
            {
                if (item.TraceContext != default)
                {
                    Span("inference.queue", item.TraceContext, model, batch.Count, item.EnqueuedAt, startedAt, default);
                    Span("inference.compute", item.TraceContext, model, batch.Count, startedAt, endedAt, batchContext);
                }
            }
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    private static void Span(
        string name, ActivityContext parent, string model, int batchSize, DateTimeOffset start, DateTimeOffset end, ActivityContext link)
    {
        ActivityLink[]? links = link == default ? null : [new ActivityLink(link)];
        using var activity = Source.StartActivity(name, ActivityKind.Internal, parent, links: links, startTime: start);
        activity?.SetTag(ModelTag, model).SetTag(BatchSizeTag, batchSize).SetEndTime(end.UtcDateTime);
    }
}
