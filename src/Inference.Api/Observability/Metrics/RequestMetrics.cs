using System.Diagnostics;
using System.Diagnostics.Metrics;
using Inference.Engine.Models;

namespace Inference.Api.Observability.Metrics;

/// <summary>
/// Per-request metrics of every protocol: <c>inference_request_duration_seconds</c> {model, endpoint, protocol,
/// outcome}, recorded by the request middleware (HTTP) and the gRPC metrics interceptor once per request; and
/// <c>inference_images_total</c> {model, endpoint}, recorded by the data plane, the one place that knows how many
/// images a request carried and whether it succeeded.
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

    public RequestMetrics(IMeterFactory meterFactory, IModelCatalog catalog)
    {
        _catalog = catalog;
        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>(
            "inference.request.duration", "s", "Time to answer one inference request, from the first byte read to the answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _images = meter.CreateCounter<long>("inference.images", description: "Images answered successfully.");
    }

    /// <summary>
    /// Records one finished request. <paramref name="model"/> is the name the client asked for: a name this service
    /// does not serve is recorded as <c>unknown</c>.
    /// </summary>
    public void Record(string? model, InferenceEndpoint endpoint, RequestProtocol protocol, RequestOutcome outcome, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { MetricLabels.Model, ModelLabel(model) },
            { MetricLabels.Endpoint, MetricLabels.Of(endpoint) },
            { MetricLabels.Protocol, MetricLabels.Of(protocol) },
            { MetricLabels.Outcome, MetricLabels.Of(outcome) },
        };
        _duration.Record(elapsed.TotalSeconds, in tags);
    }

    /// <summary>Counts the images of a successful request to a served model.</summary>
    public void ImagesAnswered(string model, InferenceEndpoint endpoint, int images) =>
        _images.Add(images, new KeyValuePair<string, object?>(MetricLabels.Model, model), new KeyValuePair<string, object?>(MetricLabels.Endpoint, MetricLabels.Of(endpoint)));

    /// <summary>The served model's own name, or <c>unknown</c>: never a client-supplied string.</summary>
    public string ModelLabel(string? model) =>
        model is not null && _catalog.Find(model) is { } descriptor ? descriptor.Name : MetricLabels.UnknownModel;
}
