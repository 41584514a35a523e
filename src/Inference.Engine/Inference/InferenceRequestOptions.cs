using Inference.Preprocessing;

namespace Inference.Engine.Inference;

/// <summary>Per-request knobs; null means the model's configured default.</summary>
public sealed record InferenceRequestOptions
{
    public static InferenceRequestOptions Default { get; } = new();

    /// <summary>A shorter deadline than the configured request timeout (never a longer one).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Exact (torchvision) or fast decode for this request.</summary>
    public DecodeMode? DecodeMode { get; init; }

    /// <summary>Which outputs the caller will read; the engine copies only these out of the batch.</summary>
    public InferenceOutputs Outputs { get; init; } = InferenceOutputs.All;
}
