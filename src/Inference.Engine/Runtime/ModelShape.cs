using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Runtime;

/// <summary>The tensor sizes a runner works with, per image and per batch.</summary>
/// <param name="FixedBatchSize">The graph's fixed batch dimension, or null when it is dynamic.</param>
/// <param name="LogitsPerImage">0 for a feature extractor (no logits output).</param>
/// <param name="ChannelsLast">The input is NHWC [N, H, W, C] rather than NCHW.</param>
internal sealed record ModelShape(
    int Channels,
    int Height,
    int Width,
    int MaxBatchSize,
    int? FixedBatchSize,
    int LogitsPerImage,
    int EmbeddingPerImage,
    bool ChannelsLast = false)
{
    /// <summary>The input tensor's shape for a run of <paramref name="runBatch"/> images.</summary>
    public long[] InputShape(int runBatch) =>
        ChannelsLast ? [runBatch, Height, Width, Channels] : [runBatch, Channels, Height, Width];

    public int InputPerImage => Channels * Height * Width;

    /// <summary>The batch size a run of <paramref name="images"/> images uses (padded for a fixed batch).</summary>
    public int RunBatch(int images) => FixedBatchSize ?? images;

    /// <summary>The largest batch ever run.</summary>
    public int MaxRunBatch => FixedBatchSize ?? MaxBatchSize;
}

/// <summary>One executor's pinned gather and output buffers, allocated once and reused for every batch.</summary>
internal sealed class ExecutorBuffers : IDisposable
{
    public ExecutorBuffers(ModelShape shape)
    {
        var maxRun = shape.MaxRunBatch;
        Gather = GC.AllocateArray<float>(maxRun * shape.InputPerImage, pinned: true);
        Logits = GC.AllocateArray<float>(maxRun * shape.LogitsPerImage, pinned: true);
        Embedding = shape.EmbeddingPerImage > 0
            ? GC.AllocateArray<float>(maxRun * shape.EmbeddingPerImage, pinned: true)
            : [];
    }

    public float[] Gather { get; }

    public float[] Logits { get; }

    public float[] Embedding { get; }

    public RunOptions RunOptions { get; } = new();

    public void Dispose() => RunOptions.Dispose();
}

/// <summary>What one forward pass did: how many images, and how long the run took.</summary>
internal readonly record struct BatchRun(int Size, TimeSpan Elapsed);
