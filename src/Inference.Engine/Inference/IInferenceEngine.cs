using Inference.Preprocessing;

namespace Inference.Engine.Inference;

/// <summary>
/// The engine's front door, shared by REST, gRPC and the Open Inference Protocol: every protocol's
/// images land in the same per-model batches.
/// </summary>
public interface IInferenceEngine
{
    /// <summary>
    /// Preprocesses <paramref name="encodedImage"/> on the caller's thread straight into a pooled slot of the
    /// model's batch input, queues it, and completes when its batch has run.
    /// </summary>
    /// <exception cref="InferenceException">Unknown model, not ready, queue full, deadline, shutdown.</exception>
    /// <exception cref="ImageProcessingException">The image is empty, corrupt, unsupported or over a limit.</exception>
    ValueTask<InferenceResult> InferImageAsync(
        string model, ReadOnlyMemory<byte> encodedImage, InferenceRequestOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Refuses at once, with the same <see cref="InferenceErrorCode.QueueFull"/> and Retry-After that a request would
    /// get, when admission would refuse one more image of <paramref name="model"/> now: lets a frontend refuse an
    /// overloaded request before it reads or decodes the body. Admits nothing itself: the request is checked again.
    /// </summary>
    void Admit(string model, InferenceRequestOptions options);

    /// <summary>
    /// Queues an already-preprocessed CHW float32 image (length 3*H*W of the model's input).
    /// </summary>
    ValueTask<InferenceResult> InferTensorAsync(
        string model, ReadOnlyMemory<float> chw, InferenceRequestOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Queues one already-preprocessed CHW float32 image of <paramref name="length"/> values that
    /// <paramref name="fill"/> writes straight into the model's pooled input slot (no intermediate buffer).
    /// <paramref name="fill"/> runs on the caller's thread before this returns, at most once, and only once the
    /// request is admitted: not for a wrong <paramref name="length"/>, an unknown model or a refusal.
    /// </summary>
    /// <exception cref="InferenceException">
    /// <paramref name="length"/> is not the model's 3*H*W (InvalidInput), or as <see cref="InferImageAsync"/>.
    /// Whatever <paramref name="fill"/> throws passes through, and the slot is returned.
    /// </exception>
    ValueTask<InferenceResult> InferTensorAsync<TState>(
        string model, int length, TState state, SlotFill<TState> fill, InferenceRequestOptions options, CancellationToken cancellationToken);
}

/// <summary>Writes one request's model input into its slot (decode and preprocess, or copy a tensor).</summary>
public delegate void SlotFill<TState>(TState state, Span<float> slot);

/// <summary>Per-request knobs; null means the model's configured default.</summary>
public sealed record InferenceRequestOptions
{
    public static InferenceRequestOptions Default { get; } = new();

    /// <summary>A shorter deadline than the configured request timeout (never a longer one).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Exact (torchvision) or fast decode for this request.</summary>
    public DecodeMode? DecodeMode { get; init; }

    /// <summary>The model version to run (a positive integer as text); null runs the highest ready version.</summary>
    public string? Version { get; init; }

    /// <summary>Which outputs the caller will read; the engine copies only these out of the batch.</summary>
    public InferenceOutputs Outputs { get; init; } = InferenceOutputs.All;
}

[Flags]
public enum InferenceOutputs
{
    Logits = 1,
    Embedding = 2,
    All = Logits | Embedding,
}
