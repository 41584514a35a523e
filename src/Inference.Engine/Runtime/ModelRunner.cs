using System.Buffers;
using Inference.Engine.Batching;
using Inference.Engine.Inference;
using Inference.Engine.Models;
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
    private readonly Action<IReadOnlyList<InferenceWorkItem>, BatchRun> _onBatch;
    private readonly Action<InferenceWorkItem, DropReason>? _onDrop;

    public ModelRunner(
        InferenceSession session,
        SlotArena arena,
        ComputeGate? gate,
        ModelShape shape,
        string inputName,
        string? logitsName,
        string? embeddingName,
        int executors,
        Action<IReadOnlyList<InferenceWorkItem>, BatchRun> onBatch,
        Action<InferenceWorkItem, DropReason>? onDrop = null)
    {
        _session = session;
        _arena = arena;
        _gate = gate;
        _shape = shape;
        _inputNames = [inputName];
        _outputNames = [.. new[] { logitsName, embeddingName }.OfType<string>()];
        _hasLogits = logitsName is not null;
        _executors = Enumerable.Range(0, executors).Select(_ => new ExecutorBuffers(shape)).ToArray();
        _onBatch = onBatch;
        _onDrop = onDrop;
    }

    /// <summary>The descriptor stamped on results; set once the model is ready.</summary>
    public ModelDescriptor? Descriptor { get; set; }

    public void Execute(IReadOnlyList<InferenceWorkItem> batch, int executorIndex)
    {
        var buffers = _executors[executorIndex];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var input = AssembleInput(batch, buffers);
            Run(input, _shape.RunBatch(batch.Count), buffers);
            Complete(batch, buffers);
        }
        catch (Exception e)
        {
            var error = new InferenceException(InferenceErrorCode.ExecutionFailed, $"ONNX Runtime failed running a batch of {batch.Count}: {e.Message}", e);
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

        _onBatch(batch, new BatchRun(batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started)));
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

    /// <summary>Runs zeros through every batch size this runner will use, so first requests pay no set-up.</summary>
    public void WarmUp(int executorIndex = 0)
    {
        var buffers = _executors[executorIndex];
        Array.Clear(buffers.Gather);
        var sizes = _shape.FixedBatchSize is { } fixedSize ? [fixedSize] : Enumerable.Range(1, _shape.MaxBatchSize);
        foreach (var size in sizes)
        {
            Run(buffers.Gather.AsMemory(0, size * _shape.InputPerImage), size, buffers);
        }
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
        if (runBatch == batch.Count && AreConsecutive(batch))
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

    private void Run(Memory<float> input, int runBatch, ExecutorBuffers buffers)
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input, _shape.InputShape(runBatch));
        using var logitsValue = _hasLogits
            ? OrtValue.CreateTensorValueFromMemory(
                OrtMemoryInfo.DefaultInstance, buffers.Logits.AsMemory(0, runBatch * _shape.LogitsPerImage), [runBatch, _shape.LogitsPerImage])
            : null;
        using var embeddingValue = _outputNames.Length > (_hasLogits ? 1 : 0)
            ? OrtValue.CreateTensorValueFromMemory(
                OrtMemoryInfo.DefaultInstance, buffers.Embedding.AsMemory(0, runBatch * _shape.EmbeddingPerImage), [runBatch, _shape.EmbeddingPerImage])
            : null;
        OrtValue[] outputs = (logitsValue, embeddingValue) switch
        {
            ({ } logits, { } embedding) => [logits, embedding],
            ({ } logits, null) => [logits],
            (null, { } embedding) => [embedding],
            _ => throw new InvalidOperationException("The model has neither logits nor an embedding output."),
        };

        using var turn = _gate?.Enter();
        _session.Run(buffers.RunOptions, _inputNames, [inputValue], _outputNames, outputs);
    }

    private void Complete(IReadOnlyList<InferenceWorkItem> batch, ExecutorBuffers buffers)
    {
        var descriptor = Descriptor ?? throw new InvalidOperationException("The runner has no model descriptor yet.");
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
