using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Runtime;

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
