using System.Diagnostics.Metrics;
using Inference.Engine.Batching;

namespace Inference.Engine.Diagnostics;

/// <summary>
/// The engine's instruments, in seconds, tagged by model only (low cardinality). Exported by the host;
/// as scraped: inference_queue_duration_seconds, inference_preprocess_duration_seconds,
/// inference_compute_duration_seconds, inference_batch_size, inference_requests_rejected_total,
/// inference_model_load_duration_seconds; the gauges are observed from <see cref="IEngineGauges"/>.
/// The same points feed <see cref="EngineStatistics"/> (the Open Inference Protocol's model statistics).
/// </summary>
public sealed class EngineMetrics
{
    public const string MeterName = "Inference.Engine";

    private static readonly double[] LatencyBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10];

    private static readonly double[] BatchBuckets = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128];

    private static readonly double[] LoadBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

    private readonly Histogram<double> _queue;
    private readonly Histogram<double> _preprocess;
    private readonly Histogram<double> _compute;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _load;
    private readonly EngineStatistics _statistics;

    public EngineMetrics(IMeterFactory meterFactory, EngineStatistics statistics)
    {
        _statistics = statistics;
        var meter = meterFactory.Create(MeterName);
        _queue = meter.CreateHistogram<double>("inference.queue.duration", "s", "Time a request waited in its model's queue.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _preprocess = meter.CreateHistogram<double>("inference.preprocess.duration", "s", "Decode, resize, crop and normalise of one image.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _compute = meter.CreateHistogram<double>("inference.compute.duration", "s", "One forward pass of a batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _batchSize = meter.CreateHistogram<int>("inference.batch.size", description: "Images per forward pass.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets.Select(b => (int)b).ToArray() });
        _rejected = meter.CreateCounter<long>("inference.requests.rejected", description: "Requests refused or dropped by the engine (reason: queue_full|deadline|shutdown).");
        _load = meter.CreateHistogram<double>("inference.model.load.duration", "s", "Time to load and warm up a model.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LoadBuckets });
        Meter = meter;
    }

    public Meter Meter { get; }

    public void QueueWait(string model, TimeSpan elapsed)
    {
        _queue.Record(elapsed.TotalSeconds, Tag(model));
        _statistics.QueueWaited(model, elapsed);
    }

    public void Preprocessed(string model, TimeSpan elapsed)
    {
        _preprocess.Record(elapsed.TotalSeconds, Tag(model));
        _statistics.Preprocessed(model, elapsed);
    }

    public void BatchRan(string model, int size, TimeSpan elapsed)
    {
        _compute.Record(elapsed.TotalSeconds, Tag(model));
        _batchSize.Record(size, Tag(model));
        _statistics.BatchRan(model, size, elapsed);
    }

    public void Rejected(string model, string reason) =>
        _rejected.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>
    /// Counts a request the batcher dropped before running it: <c>deadline</c> or <c>shutdown</c>. A request the
    /// caller cancelled is not a rejection and is not counted.
    /// </summary>
    public void Dropped(string model, DropReason reason)
    {
        switch (reason)
        {
            case DropReason.DeadlineExceeded:
                Rejected(model, RejectReasons.Deadline);
                break;
            case DropReason.ShuttingDown:
                Rejected(model, RejectReasons.Shutdown);
                break;
        }
    }

    public void Loaded(string model, TimeSpan elapsed) => _load.Record(elapsed.TotalSeconds, Tag(model));

    /// <summary>Registers the queue-depth, readiness and uptime gauges over <paramref name="gauges"/>.</summary>
    public void Observe(IEngineGauges gauges)
    {
        Meter.CreateObservableGauge("inference.queue.depth", () => gauges.QueueDepths(), description: "Requests waiting per model.");
        Meter.CreateObservableGauge("inference.model.ready", () => gauges.Readiness(), description: "1 when the model is ready, else 0.");
        Meter.CreateObservableGauge("inference.model.uptime", () => gauges.Uptimes(), "s", "Seconds since the model became ready.");
    }

    private static KeyValuePair<string, object?> Tag(string model) => new("model", model);
}
