using System.Buffers;
using Inference.Engine.Models;

namespace Inference.Engine.Inference;

/// <summary>
/// One image's outputs, copied out of its batch into pooled arrays. Dispose it once read.
/// </summary>
public sealed class InferenceResult : IDisposable
{
    private float[]? _logits;
    private float[]? _embedding;
    private readonly int _logitsLength;
    private readonly int _embeddingLength;

    internal InferenceResult(ModelDescriptor model, float[]? logits, int logitsLength, float[]? embedding, int embeddingLength, int batchSize)
    {
        Model = model;
        _logits = logits;
        _logitsLength = logitsLength;
        _embedding = embedding;
        _embeddingLength = embeddingLength;
        BatchSize = batchSize;
    }

    public ModelDescriptor Model { get; }

    /// <summary>How many images ran in the same forward pass.</summary>
    public int BatchSize { get; }

    /// <summary>The raw logits (empty if they were not requested).</summary>
    public ReadOnlySpan<float> Logits => _logits is null ? default : _logits.AsSpan(0, _logitsLength);

    /// <summary>The pooled feature vector (empty if not requested).</summary>
    public ReadOnlySpan<float> Embedding => _embedding is null ? default : _embedding.AsSpan(0, _embeddingLength);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _logits, null) is { } logits)
        {
            ArrayPool<float>.Shared.Return(logits);
        }

        if (Interlocked.Exchange(ref _embedding, null) is { } embedding)
        {
            ArrayPool<float>.Shared.Return(embedding);
        }
    }
}
