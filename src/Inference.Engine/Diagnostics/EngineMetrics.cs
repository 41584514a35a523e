using System.Diagnostics.Metrics;
using Inference.Engine.Batching;

namespace Inference.Engine.Diagnostics;

/// <summary>
/// The engine's instruments, in seconds, tagged by model and version (low cardinality: a version policy keeps a few).
/// Exported by the host; as scraped: inference_queue_duration_seconds, inference_preprocess_duration_seconds,
/// inference_compute_duration_seconds, inference_batch_size, inference_requests_rejected_total,
/// inference_model_load_duration_seconds, inference_model_loads_total{model,outcome}; the gauges are observed from
/// <see cref="IEngineGauges"/>.
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
    private readonly Counter<long> _loads;
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
        _loads = meter.CreateCounter<long>(
            "inference.model.loads", description: "Model version loads, unloads and load failures (outcome: loaded|failed|unloaded).");
        Meter = meter;
    }

    public Meter Meter { get; }

    public void QueueWait(string model, string version, TimeSpan elapsed)
    {
        _queue.Record(elapsed.TotalSeconds, Tag(model), VersionTag(version));
        _statistics.QueueWaited(model, version, elapsed);
    }

    public void Preprocessed(string model, string version, TimeSpan elapsed)
    {
        _preprocess.Record(elapsed.TotalSeconds, Tag(model), VersionTag(version));
        _statistics.Preprocessed(model, version, elapsed);
    }

    public void BatchRan(string model, string version, int size, TimeSpan elapsed)
    {
        _compute.Record(elapsed.TotalSeconds, Tag(model), VersionTag(version));
        _batchSize.Record(size, Tag(model), VersionTag(version));
        _statistics.BatchRan(model, version, size, elapsed);
    }

    /// <summary>Counts a refusal; <paramref name="version"/> is "" when no version was chosen yet (e.g. refused while draining).</summary>
    public void Rejected(string model, string version, string reason) =>
        _rejected.Add(1, Tag(model), VersionTag(version), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Counts a version loaded (<c>loaded</c>), one that failed to load (<c>failed</c>) or one unloaded (<c>unloaded</c>).</summary>
    public void LoadOutcome(string model, string outcome) =>
        _loads.Add(1, Tag(model), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>
    /// Counts a request the batcher dropped before running it: <c>deadline</c> or <c>shutdown</c>. A request the
    /// caller cancelled is not a rejection and is not counted.
    /// </summary>
    public void Dropped(string model, string version, DropReason reason)
    {
        switch (reason)
        {
            case DropReason.DeadlineExceeded:
                Rejected(model, version, RejectReasons.Deadline);
                break;
            case DropReason.ShuttingDown:
                Rejected(model, version, RejectReasons.Shutdown);
                break;
        }
    }

    public void Loaded(string model, string version, TimeSpan elapsed) => _load.Record(elapsed.TotalSeconds, Tag(model), VersionTag(version));

    /// <summary>Registers the queue-depth, readiness and uptime gauges over <paramref name="gauges"/>.</summary>
    public void Observe(IEngineGauges gauges)
    {
        Meter.CreateObservableGauge("inference.queue.depth", () => gauges.QueueDepths(), description: "Requests waiting per model.");
        Meter.CreateObservableGauge("inference.model.ready", () => gauges.Readiness(), description: "1 when the model is ready, else 0.");
        Meter.CreateObservableGauge("inference.model.uptime", () => gauges.Uptimes(), "s", "Seconds since the model became ready.");
        Meter.CreateObservableGauge("inference.model.sessions", () => gauges.Sessions(), description: "ONNX Runtime sessions alive (a swap holds two until the old one drains).");
    }

    private static KeyValuePair<string, object?> Tag(string model) => new("model", model);

    private static KeyValuePair<string, object?> VersionTag(string version) => new("version", version);
}
