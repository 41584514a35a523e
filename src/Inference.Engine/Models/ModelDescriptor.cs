using Inference.Preprocessing;

namespace Inference.Engine.Models;

/// <summary>A snapshot of what one served model is and how it is doing.</summary>
public sealed record ModelDescriptor
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    public required ModelState State { get; init; }

    /// <summary>Why the model is not ready, when it failed.</summary>
    public string? Error { get; init; }

    public string InputName { get; init; } = "input";

    /// <summary>The input shape as [N, 3, H, W] (NHWC models: [N, H, W, 3]), with N = -1 for a dynamic batch dimension.</summary>
    public IReadOnlyList<long> InputShape { get; init; } = [-1, 3, 224, 224];

    /// <summary>The classifier's logits output, or null for a feature extractor (no classification output).</summary>
    public string? LogitsOutputName { get; init; } = "logits";

    public int NumClasses { get; init; }

    /// <summary>The pooled-feature tensor exposed as an extra output, or null if none was found.</summary>
    public string? EmbeddingOutputName { get; init; }

    public int? EmbeddingDimension { get; init; }

    /// <summary>Why the model serves no embedding, when <see cref="EmbeddingOutputName"/> is null.</summary>
    public string? EmbeddingUnavailableReason { get; init; }

    /// <summary>The tasks the model serves: "classify" when it has logits, "embed" when it has an embedding.</summary>
    public IReadOnlyList<string> Tasks =>
        [.. new[] { LogitsOutputName is null ? null : "classify", EmbeddingOutputName is null ? null : "embed" }.OfType<string>()];

    public int MaxBatchSize { get; init; }

    /// <summary>Requests that may wait in the model's queue at once (config.json <c>queueCapacity</c>): the most images one request can carry.</summary>
    public int QueueCapacity { get; init; }

    /// <summary>"CUDA" or "CPU".</summary>
    public string ExecutionProvider { get; init; } = "CPU";

    public WeightsSource Weights { get; init; }

    /// <summary>config.json's <c>precision</c>: "fp32", or "int8" for a model quantized by tools/Quantize.</summary>
    public string Precision { get; init; } = "fp32";

    public IReadOnlyList<string> Labels { get; init; } = [];

    public PreprocessingSpec Preprocessing { get; init; } = PreprocessingSpec.ImageNet;

    /// <summary>When the model became ready (null until then).</summary>
    public DateTimeOffset? ReadySince { get; init; }

    /// <summary>The label for a class index, or the index as text when there is no label.</summary>
    public string LabelOf(int index) =>
        (uint)index < (uint)Labels.Count ? Labels[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
