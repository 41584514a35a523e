using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Postprocessing;

namespace Inference.Api.DataPlane;

/// <summary>
/// The results of one request, one per input in order, in the engine's pooled arrays until disposed. Frontends read
/// predictions and embeddings through it, so that top-k and L2 normalisation are computed one way for every protocol.
/// </summary>
public sealed class InferenceBatch : IReadOnlyList<InferenceResult>, IDisposable
{
    private readonly InferenceResult[] _results;

    internal InferenceBatch(InferenceResult[] results) => _results = results;

    public int Count => _results.Length;

    /// <summary>The served model (as it was when the first input ran).</summary>
    public ModelDescriptor Model => _results[0].Model;

    public InferenceResult this[int index] => _results[index];

    /// <summary>The <paramref name="k"/> most probable classes of input <paramref name="index"/> (k from <see cref="InferenceDataPlane.TopK"/>).</summary>
    public Prediction[] Top(int index, int k) => Classification.TopK(_results[index].Logits, k, Model);

    /// <summary>The embedding width.</summary>
    public int EmbeddingDimension => _results[0].Embedding.Length;

    /// <summary>Copies input <paramref name="index"/>'s embedding into <paramref name="destination"/>, scaled to unit L2 norm when asked.</summary>
    public void CopyEmbedding(int index, bool normalize, Span<float> destination)
    {
        var embedding = _results[index].Embedding;
        var target = destination[..embedding.Length];
        embedding.CopyTo(target);
        if (normalize)
        {
            Classification.L2Normalize(target);
        }
    }

    public IEnumerator<InferenceResult> GetEnumerator() => ((IEnumerable<InferenceResult>)_results).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _results.GetEnumerator();

    public void Dispose()
    {
        foreach (var result in _results)
        {
            result.Dispose();
        }
    }
}
