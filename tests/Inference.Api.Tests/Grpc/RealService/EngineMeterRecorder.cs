using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Inference.Engine.Diagnostics;

namespace Inference.Api.Tests.Grpc.RealService;

/// <summary>
/// Records one service's engine instruments (its own meter instance, so other services in the test process
/// do not count): the batches it ran and the requests it refused or dropped, by model.
/// </summary>
internal sealed class EngineMeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Model, int Size)> _batches = new();
    private readonly ConcurrentQueue<(string Model, string Reason)> _rejections = new();

    public EngineMeterRecorder(EngineMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name is "inference.batch.size" or "inference.requests.rejected")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, size, tags, _) => _batches.Enqueue((Tag(tags, "model"), size)));
        _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => _rejections.Enqueue((Tag(tags, "model"), Tag(tags, "reason"))));
        _listener.Start();
    }

    /// <summary>The sizes of the batches run for <paramref name="model"/> since recording began.</summary>
    public IReadOnlyList<int> Batches(string model) => [.. _batches.Where(b => b.Model == model).Select(b => b.Size)];

    /// <summary>The reasons of the requests refused or dropped for <paramref name="model"/> since recording began.</summary>
    public IReadOnlyList<string> Rejections(string model) => [.. _rejections.Where(r => r.Model == model).Select(r => r.Reason)];

    public void Dispose() => _listener.Dispose();

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string ?? string.Empty;
            }
        }

        return string.Empty;
    }
}
