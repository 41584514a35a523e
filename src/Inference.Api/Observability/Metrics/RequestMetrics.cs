using System.Diagnostics;
using System.Diagnostics.Metrics;
using Inference.Engine.Models;

namespace Inference.Api.Observability.Metrics;

/// <summary>
/// Per-request metrics of every protocol: <c>inference_request_duration_seconds</c> {model, endpoint, protocol,
/// outcome} and <c>inference_images_total</c> {model, endpoint}. REST requests are recorded by the request
/// middleware; gRPC and Open Inference Protocol handlers call <see cref="Record"/> once per request.
/// </summary>
public sealed class RequestMetrics
{
    public const string MeterName = "Inference.Api";

    /// <summary>1 ms to 10 s.</summary>
    private static readonly double[] DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 7.5, 10];

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _images;
    private readonly IModelCatalog _catalog;
    private readonly RequestStatistics _statistics;

    public RequestMetrics(IMeterFactory meterFactory, IModelCatalog catalog, RequestStatistics statistics)
    {
        _catalog = catalog;
        _statistics = statistics;
        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>(
            "inference.request.duration", "s", "Time to answer one inference request, from the first byte read to the answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _images = meter.CreateCounter<long>("inference.images", description: "Images answered successfully.");
    }

    /// <summary>
    /// Records one finished request. <paramref name="model"/> is the name the client asked for: a name this service
    /// does not serve is recorded as <c>unknown</c>. <paramref name="images"/> counts into
    /// <c>inference_images_total</c> only when <paramref name="outcome"/> is <see cref="RequestOutcome.Ok"/>.
    /// A served model's request also counts into <see cref="RequestStatistics"/>.
    /// </summary>
    public void Record(string? model, InferenceEndpoint endpoint, RequestProtocol protocol, RequestOutcome outcome, TimeSpan elapsed, int images)
    {
        var modelLabel = ModelLabel(model);
        var endpointLabel = MetricLabels.Of(endpoint);
        var tags = new TagList
        {
            { MetricLabels.Model, modelLabel },
            { MetricLabels.Endpoint, endpointLabel },
            { MetricLabels.Protocol, MetricLabels.Of(protocol) },
            { MetricLabels.Outcome, MetricLabels.Of(outcome) },
        };
        _duration.Record(elapsed.TotalSeconds, in tags);
        if (modelLabel != MetricLabels.UnknownModel)
        {
            _statistics.Record(modelLabel, outcome, elapsed);
        }
        if (outcome == RequestOutcome.Ok && images > 0)
        {
            _images.Add(images, new KeyValuePair<string, object?>(MetricLabels.Model, modelLabel), new KeyValuePair<string, object?>(MetricLabels.Endpoint, endpointLabel));
        }
    }

    /// <summary>The served model's own name, or <c>unknown</c>: never a client-supplied string.</summary>
    public string ModelLabel(string? model) =>
        model is not null && _catalog.Find(model) is { } descriptor ? descriptor.Name : MetricLabels.UnknownModel;
}
