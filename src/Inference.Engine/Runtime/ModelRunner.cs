using System.Buffers;
using Inference.Engine.Batching;
using Inference.Engine.Inference;
using Inference.Engine.Logging;
using Inference.Engine.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Runtime;

/// <summary>
/// Runs batches of one model on its single shared <see cref="InferenceSession"/>: input as an
/// <see cref="OrtValue"/> over the pinned slot arena (or the executor's gather buffer), outputs bound to
/// pinned per-executor buffers, rows copied into pooled arrays for each request.
/// </summary>
internal sealed class ModelRunner : IBatchExecutor<InferenceWorkItem>, IDisposable
{
    private readonly InferenceSession _session;
    private readonly SlotArena _arena;
    private readonly ComputeGate? _gate;
    private readonly ModelShape _shape;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _hasLogits;
    private readonly ExecutorBuffers[] _executors;
    private readonly TimeProvider _timeProvider;
    private readonly Action<IReadOnlyList<InferenceWorkItem>, BatchRun> _onBatch;
    private readonly Action<InferenceWorkItem, DropReason>? _onDrop;
    private readonly ILogger _logger;

    /// <summary>Per executor: when its previous batch was answered (default before the first).</summary>
    private readonly DateTimeOffset[] _lastAnswered;

    /// <param name="descriptor">The ready model: stamped on every result, and the source of the tensor names.</param>
    /// <param name="serviceTime">Fed with every batch's <see cref="DrainTime"/> per image (admission reads it).</param>
    public ModelRunner(
        ModelDescriptor descriptor,
        InferenceSession session,
        SlotArena arena,
        ComputeGate? gate,
        ModelShape shape,
        int executors,
        ServiceTimeEstimate serviceTime,
        TimeProvider timeProvider,
        Action<IReadOnlyList<InferenceWorkItem>, BatchRun> onBatch,
        Action<InferenceWorkItem, DropReason>? onDrop = null,
        ILogger? logger = null)
    {
        Descriptor = descriptor;
        _session = session;
        _arena = arena;
        _gate = gate;
        _shape = shape;
        _inputNames = [descriptor.InputName];
        _outputNames = OutputNames(descriptor.LogitsOutputName, descriptor.EmbeddingOutputName);
        _hasLogits = descriptor.LogitsOutputName is not null;
        _executors = Enumerable.Range(0, executors).Select(_ => new ExecutorBuffers(shape)).ToArray();
        _lastAnswered = new DateTimeOffset[executors];
        ServiceTime = serviceTime;
        _timeProvider = timeProvider;
        _onBatch = onBatch;
        _onDrop = onDrop;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The descriptor stamped on results.</summary>
    public ModelDescriptor Descriptor { get; }

    /// <summary>The recent drain time per image (<see cref="DrainTime"/>), updated after every batch.</summary>
    public ServiceTimeEstimate ServiceTime { get; }

    public void Execute(IReadOnlyList<InferenceWorkItem> batch, int executorIndex)
    {
        var buffers = _executors[executorIndex];
        var started = _timeProvider.GetTimestamp();
        var startedAt = _timeProvider.GetUtcNow();
        var recorded = false;

        // The batch's statistics are recorded before its callers are answered, so a caller that asks for them after
        // its answer finds its own images counted (they were recorded after the answers, and a quick caller missed them).
        void Record()
        {
            recorded = true;
            _onBatch(batch, new BatchRun(batch.Count, _timeProvider.GetElapsedTime(started)));
        }

        try
        {
            var input = AssembleInput(batch, buffers);
            Run(_session, _gate, _shape, _inputNames, _outputNames, _hasLogits, input, _shape.RunBatch(batch.Count), buffers, _timeProvider);
            Record();
            Complete(batch, buffers);
            var answered = _timeProvider.GetUtcNow();
            ServiceTime.BatchRan(batch.Count, DrainTime(_lastAnswered[executorIndex], EarliestEnqueued(batch), startedAt, answered));
            _lastAnswered[executorIndex] = answered;
        }
        catch (Exception e)
        {
            // ONNX Runtime's text (paths, node names) stays in the server log; the client learns what failed.
            EngineLog.BatchFailed(_logger, e, Descriptor.Name, batch.Count);
            var error = new InferenceException(
                InferenceErrorCode.ExecutionFailed, $"ONNX Runtime failed running a batch of {batch.Count} on model '{Descriptor.Name}' (details in the server log).", e);
            if (!recorded)
            {
                Record();
            }

            foreach (var item in batch)
            {
                item.Fail(error);
            }
        }
        finally
        {
            // Last to first, so the arena's free stack hands the slots out again in ascending order and the
            // next batch is consecutive (no gather copy).
            for (var i = batch.Count - 1; i >= 0; i--)
            {
                _arena.Return(batch[i].Slot);
            }
        }
    }

    /// <summary>
    /// How long an executor took to drain one batch, as a request queued behind it sees it. When the batch's first
    /// request was already waiting as the previous batch was answered (a busy period), it is the time between the two
    /// answers: the forward pass and also everything that kept the executor from it (gathering the input, writing the
    /// results, the batcher's wake-up, and the CPU that preprocessing and other requests hold on the same cores).
    /// Otherwise (an idle executor, or the first batch) it is this batch's own time, from its start to its answer.
    /// Estimating waits from the forward pass alone admitted requests under overload that then waited well past the
    /// queue budget (bench/README.md, issue 10's overload section).
    /// </summary>
    internal static TimeSpan DrainTime(DateTimeOffset previousAnswered, DateTimeOffset earliestEnqueued, DateTimeOffset started, DateTimeOffset answered) =>
        previousAnswered != default && earliestEnqueued <= previousAnswered && previousAnswered <= started
            ? answered - previousAnswered
            : answered - started;

    private static DateTimeOffset EarliestEnqueued(IReadOnlyList<InferenceWorkItem> batch)
    {
        var earliest = DateTimeOffset.MaxValue;
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].EnqueuedAt < earliest)
            {
                earliest = batch[i].EnqueuedAt;
            }
        }

        return earliest;
    }

    public void Drop(InferenceWorkItem item, DropReason reason)
    {
        _arena.Return(item.Slot);
        switch (reason)
        {
            case DropReason.Cancelled:
                item.Cancel();
                break;
            case DropReason.DeadlineExceeded:
                item.Fail(new InferenceException(InferenceErrorCode.DeadlineExceeded, "The request's deadline passed while it waited in the queue."));
                break;
            default:
                item.Fail(new InferenceException(InferenceErrorCode.ShuttingDown, "The service is shutting down; the request was not run."));
                break;
        }

        _onDrop?.Invoke(item, reason);
    }

    /// <summary>
    /// Runs zeros through one batch of one (or the model's fixed batch), so first requests pay no set-up: the first
    /// run builds ORT's kernels and thread-pool state. Larger batches are not warmed: measured on resnet50 (2 threads,
    /// 3 runs), the first batch of 8 after a warm-up of one took 0.50/0.48/0.47 s against 0.53/0.48/0.48 s for the
    /// next, while warming it cost a third of the five models' start-up CPU (resnet152: 2.4 of 19 CPU-seconds).
    /// Returns that run's time per image, measured with <paramref name="timeProvider"/>: the seed of the model's
    /// <see cref="ServiceTimeEstimate"/> (on the slow side of what batches take, until they are measured).
    /// </summary>
    public static TimeSpan WarmUp(
        InferenceSession session, ComputeGate? gate, ModelShape shape, string inputName, string? logitsName, string? embeddingName,
        TimeProvider timeProvider)
    {
        using var buffers = new ExecutorBuffers(shape);
        string[] inputNames = [inputName];
        var outputNames = OutputNames(logitsName, embeddingName);
        var size = shape.FixedBatchSize ?? 1;
        var forward = Run(
            session, gate, shape, inputNames, outputNames, logitsName is not null, buffers.Gather.AsMemory(0, size * shape.InputPerImage), size, buffers, timeProvider);
        return forward / size;
    }

    public void Dispose()
    {
        foreach (var buffers in _executors)
        {
            buffers.Dispose();
        }
    }

    private Memory<float> AssembleInput(IReadOnlyList<InferenceWorkItem> batch, ExecutorBuffers buffers)
    {
        var perImage = _shape.InputPerImage;
        var runBatch = _shape.RunBatch(batch.Count);
        if (runBatch == batch.Count && AreConsecutive(batch) && _arena.IsContiguous(batch[0].Slot, batch.Count))
        {
            return _arena.Range(batch[0].Slot, batch.Count);
        }

        var gather = buffers.Gather.AsSpan(0, runBatch * perImage);
        for (var i = 0; i < batch.Count; i++)
        {
            _arena.Slot(batch[i].Slot).CopyTo(gather.Slice(i * perImage, perImage));
        }

        gather[(batch.Count * perImage)..].Clear();
        return buffers.Gather.AsMemory(0, runBatch * perImage);
    }

    private static bool AreConsecutive(IReadOnlyList<InferenceWorkItem> batch)
    {
        for (var i = 1; i < batch.Count; i++)
        {
            if (batch[i].Slot != batch[0].Slot + i)
            {
                return false;
            }
        }

        return true;
    }

    private static string[] OutputNames(string? logitsName, string? embeddingName) =>
        [.. new[] { logitsName, embeddingName }.OfType<string>()];

    /// <summary>One forward pass; returns its duration once the compute gate let it start (waiting for the gate is not compute).</summary>
    private static TimeSpan Run(
        InferenceSession session, ComputeGate? gate, ModelShape shape, string[] inputNames, string[] outputNames, bool hasLogits, Memory<float> input, int runBatch,
        ExecutorBuffers buffers, TimeProvider timeProvider)
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input, shape.InputShape(runBatch));
        using var logitsValue = hasLogits
            ? OrtValue.CreateTensorValueFromMemory(
                OrtMemoryInfo.DefaultInstance, buffers.Logits.AsMemory(0, runBatch * shape.LogitsPerImage), [runBatch, shape.LogitsPerImage])
            : null;
        using var embeddingValue = outputNames.Length > (hasLogits ? 1 : 0)
            ? OrtValue.CreateTensorValueFromMemory(
                OrtMemoryInfo.DefaultInstance, buffers.Embedding.AsMemory(0, runBatch * shape.EmbeddingPerImage), [runBatch, shape.EmbeddingPerImage])
            : null;
        OrtValue[] outputs = (logitsValue, embeddingValue) switch
        {
            ({ } logits, { } embedding) => [logits, embedding],
            ({ } logits, null) => [logits],
            (null, { } embedding) => [embedding],
            _ => throw new InvalidOperationException("The model has neither logits nor an embedding output."),
        };

        using var turn = gate?.Enter();
        var started = timeProvider.GetTimestamp();
        session.Run(buffers.RunOptions, inputNames, [inputValue], outputNames, outputs);
        return timeProvider.GetElapsedTime(started);
    }

    private void Complete(IReadOnlyList<InferenceWorkItem> batch, ExecutorBuffers buffers)
    {
        var descriptor = Descriptor;
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            var logits = item.Outputs.HasFlag(InferenceOutputs.Logits) && _hasLogits
                ? CopyRow(buffers.Logits, i, _shape.LogitsPerImage)
                : null;
            var embedding = item.Outputs.HasFlag(InferenceOutputs.Embedding) && _shape.EmbeddingPerImage > 0
                ? CopyRow(buffers.Embedding, i, _shape.EmbeddingPerImage)
                : null;
            item.Succeed(new InferenceResult(descriptor, logits, _shape.LogitsPerImage, embedding, _shape.EmbeddingPerImage, batch.Count));
        }
    }

    private static float[] CopyRow(float[] source, int row, int width)
    {
        var rented = ArrayPool<float>.Shared.Rent(width);
        source.AsSpan(row * width, width).CopyTo(rented);
        return rented;
    }
}
