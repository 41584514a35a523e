using Inference.Engine.Batching;
using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Preprocessing;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Runtime;

/// <summary>A model that is serving: its session, slot arena, runner and batcher.</summary>
internal sealed class LoadedModel : IAsyncDisposable
{
    private readonly InferenceSession _session;
    private readonly ModelRunner _runner;
    private readonly SlotArena _arena;
    private readonly DynamicBatcher<InferenceWorkItem> _batcher;
    private readonly EngineMetrics? _metrics;
    private int _disposed;

    public LoadedModel(
        ModelDescriptor descriptor, InferenceSession session, ModelRunner runner, SlotArena arena, DynamicBatcher<InferenceWorkItem> batcher,
        EngineMetrics? metrics = null)
    {
        Descriptor = descriptor;
        _session = session;
        _runner = runner;
        _arena = arena;
        _batcher = batcher;
        _metrics = metrics;
        runner.Descriptor = descriptor;
        FastPreprocessing = descriptor.Preprocessing with { Mode = DecodeMode.Fast };
        ExactPreprocessing = descriptor.Preprocessing with { Mode = DecodeMode.Exact };
    }

    public ModelDescriptor Descriptor { get; }

    public PreprocessingSpec ExactPreprocessing { get; }

    public PreprocessingSpec FastPreprocessing { get; }

    public int InputPerImage => _arena.SlotLength;

    public int QueueDepth => _batcher.QueueDepth;

    /// <summary>Input slots not held by a queued, running or preprocessing request.</summary>
    public int FreeSlots => _arena.Available;

    public int SlotCount => _arena.SlotCount;

    /// <summary>Requests in batches that executors are running now.</summary>
    public int InFlight => _batcher.InFlight;

    /// <summary>The model's preprocessing for a request that may override the decode mode.</summary>
    public PreprocessingSpec PreprocessingFor(DecodeMode? mode) => mode switch
    {
        DecodeMode.Fast => FastPreprocessing,
        DecodeMode.Exact => ExactPreprocessing,
        _ => Descriptor.Preprocessing,
    };

    /// <summary>A free input slot, or -1 when the model is at capacity.</summary>
    public int TryRentSlot() => _arena.TryRent();

    public Span<float> Slot(int slot) => _arena.Slot(slot);

    public void ReturnSlot(int slot) => _arena.Return(slot);

    /// <summary>
    /// Queues a filled slot. From here on the slot belongs to the batcher, which runs or drops the request
    /// and returns the slot either way.
    /// </summary>
    public async ValueTask<InferenceResult> RunAsync(
        int slot, DateTimeOffset now, DateTimeOffset deadline, InferenceOutputs outputs, CancellationToken cancellationToken)
    {
        var item = new InferenceWorkItem(slot, now, deadline, outputs, cancellationToken);
        switch (_batcher.TryEnqueue(item))
        {
            case EnqueueResult.Accepted:
                break;
            case EnqueueResult.QueueFull:
                _arena.Return(slot);
                _metrics?.Rejected(Descriptor.Name, RejectReasons.QueueFull);
                throw new InferenceException(InferenceErrorCode.QueueFull, $"The queue of model '{Descriptor.Name}' is full; retry shortly.")
                {
                    RetryAfter = TimeSpan.FromSeconds(1),
                };
            default:
                _arena.Return(slot);
                _metrics?.Rejected(Descriptor.Name, RejectReasons.Shutdown);
                throw new InferenceException(InferenceErrorCode.ShuttingDown, "The service is shutting down and accepts no new requests.");
        }

        // The caller may stop waiting at once; the poke makes the batcher drop the item (and free its slot)
        // now rather than at its next wake-up, which may be a full batching delay away while executors are busy.
        await using var registration = cancellationToken.UnsafeRegister(
            static (state, _) =>
            {
                var (batcher, queued) = ((DynamicBatcher<InferenceWorkItem>, InferenceWorkItem))state!;
                queued.Cancel();
                batcher.Poke();
            },
            (_batcher, item)).ConfigureAwait(false);

        // Deadline and shutdown drops are counted where they happen, in the runner's Drop.
        return await item.Completion.ConfigureAwait(false);
    }

    public Task DrainAsync(CancellationToken cancellationToken) => _batcher.CompleteAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _batcher.DisposeAsync().ConfigureAwait(false);
        _runner.Dispose();
        _session.Dispose();
    }
}
