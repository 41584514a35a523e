using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Preprocessing;

namespace Inference.Api.Tests.Grpc.TestHost;

/// <summary>
/// A deterministic engine: the embedding is the means of 512 equal chunks of the CHW input, the logits a fixed
/// linear map of the embedding. Tests can close a gate so requests stay queued (honouring Timeout and
/// cancellation as the batcher does), cap the queue, or mark the engine as shutting down.
/// </summary>
internal sealed class FakeInferenceEngine(IModelCatalog catalog, IImagePreprocessor preprocessor) : IInferenceEngine
{
    private TaskCompletionSource _gate = Open();
    private int _queued;
    private int _started;
    private int _dropped;

    public int QueueCapacity { get; set; } = int.MaxValue;

    public bool ShuttingDown { get; set; }

    /// <summary>Requests waiting at the gate right now.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Requests that have entered the engine since the start.</summary>
    public int Started => _started;

    /// <summary>Requests dropped because their Timeout passed while queued.</summary>
    public int DroppedForDeadline => _dropped;

    public ConcurrentQueue<InferenceRequestOptions> Options { get; } = new();

    public void CloseGate() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OpenGate() => _gate.TrySetResult();

    public async ValueTask<InferenceResult> InferImageAsync(string model, ReadOnlyMemory<byte> encodedImage, InferenceRequestOptions options, CancellationToken cancellationToken)
    {
        var descriptor = Admit(model);
        var chw = new float[descriptor.Preprocessing.TensorLength];
        preprocessor.Preprocess(encodedImage.Span, descriptor.Preprocessing, chw);
        return await RunAsync(descriptor, chw, options, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<InferenceResult> InferTensorAsync(string model, ReadOnlyMemory<float> chw, InferenceRequestOptions options, CancellationToken cancellationToken)
    {
        var descriptor = Admit(model);
        if (chw.Length != descriptor.Preprocessing.TensorLength)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"Expected {descriptor.Preprocessing.TensorLength} floats, got {chw.Length}.");
        }

        return await RunAsync(descriptor, chw.ToArray(), options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As the real engine: the length is checked first, then <paramref name="fill"/> runs once, synchronously, before the first await.</summary>
    public async ValueTask<InferenceResult> InferTensorAsync<TState>(
        string model, int length, TState state, SlotFill<TState> fill, InferenceRequestOptions options, CancellationToken cancellationToken)
    {
        var descriptor = Admit(model);
        if (length != descriptor.Preprocessing.TensorLength)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"Expected {descriptor.Preprocessing.TensorLength} floats, got {length}.");
        }

        var chw = new float[length];
        fill(state, chw);
        return await RunAsync(descriptor, chw, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The outputs this engine computes for a preprocessed image.</summary>
    public static (float[] Logits, float[] Embedding) Compute(ReadOnlySpan<float> chw)
    {
        var embedding = new float[FakeModels.EmbeddingDimension];
        var chunk = chw.Length / embedding.Length;
        for (var j = 0; j < embedding.Length; j++)
        {
            embedding[j] = TensorPrimitives.Sum(chw.Slice(j * chunk, chunk)) / chunk;
        }

        var logits = new float[FakeModels.Classes];
        for (var c = 0; c < logits.Length; c++)
        {
            for (var j = 0; j < embedding.Length; j++)
            {
                logits[c] += embedding[j] * MathF.Sin((c * 31) + (j * 7));
            }
        }

        return (logits, embedding);
    }

    /// <summary>The fake refuses only when its queue is full, as <see cref="RunAsync"/> does.</summary>
    void IInferenceEngine.Admit(string model, InferenceRequestOptions options)
    {
        Admit(model);
        if (Volatile.Read(ref _queued) >= QueueCapacity)
        {
            throw new InferenceException(InferenceErrorCode.QueueFull, "The queue is full.") { RetryAfter = TimeSpan.FromSeconds(1) };
        }
    }

    private ModelDescriptor Admit(string model)
    {
        var descriptor = catalog.Find(model) ?? throw new InferenceException(InferenceErrorCode.ModelNotFound, $"Model '{model}' is not served here.");
        if (ShuttingDown)
        {
            throw new InferenceException(InferenceErrorCode.ShuttingDown, "The service is shutting down.");
        }

        return descriptor.State == ModelState.Ready
            ? descriptor
            : throw new InferenceException(InferenceErrorCode.ModelNotReady, $"Model '{model}' is {descriptor.State}.");
    }

    private async Task<InferenceResult> RunAsync(ModelDescriptor model, float[] chw, InferenceRequestOptions options, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _queued) > QueueCapacity)
        {
            Interlocked.Decrement(ref _queued);
            throw new InferenceException(InferenceErrorCode.QueueFull, "The queue is full.") { RetryAfter = TimeSpan.FromSeconds(1) };
        }

        Interlocked.Increment(ref _started);
        Options.Enqueue(options);
        try
        {
            await _gate.Task.WaitAsync(options.Timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Interlocked.Increment(ref _dropped);
            throw new InferenceException(InferenceErrorCode.DeadlineExceeded, "The request's deadline passed while it was queued.");
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
        }

        if (model.EmbeddingOutputName is null && options.Outputs == InferenceOutputs.Embedding)
        {
            throw new InferenceException(InferenceErrorCode.OutputNotAvailable, $"Model '{model.Name}' has no embedding output.");
        }

        var (logits, embedding) = Compute(chw);
        var pooledLogits = ArrayPool<float>.Shared.Rent(logits.Length);
        logits.CopyTo(pooledLogits, 0);
        float[]? pooledEmbedding = null;
        if (model.EmbeddingOutputName is not null && options.Outputs.HasFlag(InferenceOutputs.Embedding))
        {
            pooledEmbedding = ArrayPool<float>.Shared.Rent(embedding.Length);
            embedding.CopyTo(pooledEmbedding, 0);
        }

        return new InferenceResult(model, pooledLogits, logits.Length, pooledEmbedding, pooledEmbedding is null ? 0 : embedding.Length, batchSize: 1);
    }

    private static TaskCompletionSource Open()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }
}
