namespace Inference.Contracts.Rest;

/// <summary>What <c>GET /v1/models/{model}</c> says about a model.</summary>
public sealed record ModelInfo
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    /// <summary>loading, ready, failed or draining.</summary>
    public required string State { get; init; }

    public string? Error { get; init; }

    public required string InputName { get; init; }

    /// <summary>[N, 3, H, W] with N = -1 for a dynamic batch.</summary>
    public required IReadOnlyList<long> InputShape { get; init; }

    public int NumClasses { get; init; }

    public int Labels { get; init; }

    public int? EmbeddingDimension { get; init; }

    public string? EmbeddingTensor { get; init; }

    /// <summary>What the model serves: "classify" (it has logits) and/or "embed" (it has a pooled embedding).</summary>
    public IReadOnlyList<string> Tasks { get; init; } = [];

    /// <summary>Why the model serves no embed, when it does not.</summary>
    public string? EmbeddingUnavailable { get; init; }

    public int MaxBatchSize { get; init; }

    /// <summary>CUDA or CPU.</summary>
    public required string ExecutionProvider { get; init; }

    /// <summary>"provided" (your export) or "demo" (seeded weights: predictions are meaningless).</summary>
    public required string Weights { get; init; }

    /// <summary>"fp32", or "int8" for a statically quantized (QDQ) model; embedding and logits are float either way.</summary>
    public string Precision { get; init; } = "fp32";

    public string? Warning { get; init; }

    public DateTimeOffset? ReadySince { get; init; }
}
