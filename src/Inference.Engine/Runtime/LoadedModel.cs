using Inference.Engine.Batching;
using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Preprocessing;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Runtime;

/// <summary>
/// A model that is serving: its session, slot arena, runner, batcher and admission. It owns each request's input
/// slot from rent to return: rent, admission, fill, enqueue; if any of them fails the slot comes back here, and
/// once enqueued the runner returns it after the batch ran or the batcher dropped the request (cancelled,
/// deadline, shutdown). A version being replaced is retired: routing has already moved on, so callers that still
/// hold it finish entering (or are turned away to look again), everything it accepted runs, then it is disposed.
/// </summary>
internal sealed class LoadedModel : IAsyncDisposable
{
    private readonly IDisposable _session;
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _entered;
    private int _retired;
    private readonly ModelRunner _runner;
    private readonly SlotArena _arena;
    private readonly DynamicBatcher<InferenceWorkItem> _batcher;
    private readonly TimeProvider _timeProvider;
    private readonly EngineMetrics? _metrics;
    private int _disposed;

    public LoadedModel(
        ModelRunner runner, IDisposable session, SlotArena arena, DynamicBatcher<InferenceWorkItem> batcher, Admission admission,
        TimeProvider timeProvider, EngineMetrics? metrics = null)
    {
        Descriptor = runner.Descriptor;
        _session = session;
        _runner = runner;
        _arena = arena;
        _batcher = batcher;
        Admission = admission;
        _timeProvider = timeProvider;
        _metrics = metrics;
        FastPreprocessing = Descriptor.Preprocessing with { Mode = DecodeMode.Fast };
        ExactPreprocessing = Descriptor.Preprocessing with { Mode = DecodeMode.Exact };
    }

    public ModelDescriptor Descriptor { get; }

    public Admission Admission { get; }

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

    /// <summary>
    /// Runs one image: rents a slot, admits the request by its estimated wait, fills the slot with
    /// <paramref name="fill"/> on the caller's thread, and queues it. Completes when its batch has run.
    /// </summary>
    /// <exception cref="InferenceException">
    /// OutputNotAvailable; QueueFull (no free slot, full queue, or an estimated wait past the queue budget or the
    /// deadline, with Retry-After); ShuttingDown. Whatever <paramref name="fill"/> throws passes through.
    /// </exception>
    public ValueTask<InferenceResult> InferAsync<TState>(
        TState state, SlotFill<TState> fill, DateTimeOffset deadline, InferenceOutputs outputs, CancellationToken cancellationToken) =>
        TryInfer(state, fill, deadline, outputs, cancellationToken, out var pending)
            ? pending
            : throw new InferenceException(InferenceErrorCode.ModelNotReady, $"Model '{Descriptor.Name}' version {Descriptor.Version} was unloaded.");

    /// <summary>
    /// As <see cref="InferAsync{TState}"/>, or false (nothing done) when this version was retired after the caller
    /// found it: the caller looks the model up again and gets what serves now.
    /// </summary>
    public bool TryInfer<TState>(
        TState state, SlotFill<TState> fill, DateTimeOffset deadline, InferenceOutputs outputs, CancellationToken cancellationToken,
        out ValueTask<InferenceResult> pending)
    {
        pending = default;
        Interlocked.Increment(ref _entered);
        try
        {
            if (Volatile.Read(ref _retired) != 0)
            {
                return false;
            }

            pending = Enter(state, fill, deadline, outputs, cancellationToken);
            return true;
        }
        finally
        {
            if (Interlocked.Decrement(ref _entered) == 0 && Volatile.Read(ref _retired) != 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Takes this version out of service once routing no longer finds it: waits for callers still entering, runs
    /// every request already queued (their own deadlines still apply), then disposes the session and returns its memory.
    /// </summary>
    public async Task RetireAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _entered) == 0)
        {
            _idle.TrySetResult();
        }

        await _idle.Task.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _batcher.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    private ValueTask<InferenceResult> Enter<TState>(
        TState state, SlotFill<TState> fill, DateTimeOffset deadline, InferenceOutputs outputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fill);
        if (outputs == InferenceOutputs.Embedding && Descriptor.EmbeddingOutputName is null)
        {
            throw new InferenceException(
                InferenceErrorCode.OutputNotAvailable,
                $"Model '{Descriptor.Name}' has no embedding tensor: none was found in the graph and config.json names none ('embeddingTensor').");
        }

        if (outputs == InferenceOutputs.Logits && Descriptor.LogitsOutputName is null)
        {
            throw new InferenceException(
                InferenceErrorCode.OutputNotAvailable,
                $"Model '{Descriptor.Name}' is a feature extractor: it has no classification output; it serves embed only.");
        }

        var slot = _arena.TryRent();
        if (slot < 0)
        {
            throw Refused(Admission.QueueFull(_arena.SlotCount - InFlight));
        }

        InferenceWorkItem item;
        try
        {
            // Everyone holding a slot and not yet running is ahead: queued, and still preprocessing; the running
            // batches are ahead too, until they are done.
            var running = InFlight;
            var ahead = _arena.SlotCount - _arena.Available - 1 - running;
            if (Admission.Check(ahead, _timeProvider.GetUtcNow(), deadline, running) is { } refusal)
            {
                throw Refused(refusal);
            }

            fill(state, _arena.Slot(slot));
            item = new InferenceWorkItem(slot, _timeProvider.GetUtcNow(), deadline, outputs, cancellationToken);
            switch (_batcher.TryEnqueue(item))
            {
                case EnqueueResult.Accepted:
                    break;
                case EnqueueResult.QueueFull:
                    throw Refused(Admission.QueueFull(_batcher.QueueDepth));
                default:
                    _metrics?.Rejected(Descriptor.Name, Descriptor.Version, RejectReasons.Shutdown);
                    throw new InferenceException(InferenceErrorCode.ShuttingDown, "The service is shutting down and accepts no new requests.");
            }
        }
        catch
        {
            // Not queued: the slot is still this request's, and comes back here whatever went wrong.
            _arena.Return(slot);
            throw;
        }

        return AwaitAsync(item, cancellationToken);
    }

    public Task DrainAsync(CancellationToken cancellationToken) => _batcher.CompleteAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _batcher.DisposeAsync().ConfigureAwait(false);
        Admission.Dispose();
        _runner.Dispose();
        _session.Dispose();
    }

    /// <summary>Throws the refusal admission would give one more request now (nothing rented, nothing queued).</summary>
    public void Admit(DateTimeOffset deadline)
    {
        var running = InFlight;
        var ahead = _arena.SlotCount - _arena.Available - running;
        if (Admission.Check(ahead, _timeProvider.GetUtcNow(), deadline, running) is { } refusal)
        {
            throw Refused(refusal);
        }
    }

    private InferenceException Refused(InferenceException refusal)
    {
        _metrics?.Rejected(Descriptor.Name, Descriptor.Version, RejectReasons.QueueFull);
        return refusal;
    }

    /// <summary>From here on the slot belongs to the batcher, which runs or drops the request and returns the slot either way.</summary>
    private async ValueTask<InferenceResult> AwaitAsync(InferenceWorkItem item, CancellationToken cancellationToken)
    {
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
}

/// <summary>Counts the ONNX Runtime sessions alive in this engine (created, not yet disposed).</summary>
internal sealed class SessionCounter
{
    private int _live;

    public int Live => Volatile.Read(ref _live);

    public void Opened() => Interlocked.Increment(ref _live);

    public void Closed() => Interlocked.Decrement(ref _live);
}

/// <summary>A session counted in a <see cref="SessionCounter"/> until it is disposed (once).</summary>
internal sealed class CountedSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionCounter? _counter;
    private int _disposed;

    public CountedSession(InferenceSession session, SessionCounter? counter)
    {
        _session = session;
        _counter = counter;
        counter?.Opened();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.Dispose();
            _counter?.Closed();
        }
    }
}
