using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Preparation;

/// <summary>
/// What a model's outputs are. Its first output is either logits or, for a feature extractor (no classifier
/// head), the pooled features: a pool's output (through shape-only nodes), or a tensor declared [N, C, 1, 1].
/// A rank-4 feature output is flattened to [N, C] by an added Flatten node.
/// </summary>
internal static class OutputLocator
{
    public const string FlattenedSuffix = "/flattened";

    public static ModelOutputs Locate(GraphProto graph, string? requested, string path)
    {
        if (requested is not null && !graph.Node.Any(n => n.Output.Contains(requested)))
        {
            throw new OnnxModelException(
                $"Model '{path}': embedding tensor '{requested}' is not produced by any node of the graph.");
        }

        var first = graph.Output[0];
        var dims = ValueInfos.Dimensions(first);
        var producers = ClassifierLocator.Producers(graph);
        if (dims is [_, _, 1, 1] || ClassifierLocator.IsFedByPool(first.Name, producers, graph))
        {
            return Features(graph, first, dims, requested);
        }

        var head = ClassifierLocator.Find(graph);
        if (requested is not null)
        {
            var matches = head?.EmbeddingTensor == requested;
            return new ModelOutputs(first, requested, matches ? head!.EmbeddingWidth : DeclaredWidth(graph, requested), null, matches ? head : null, null);
        }

        return head is null
            ? new ModelOutputs(first, null, null, null, null,
                "no Gemm or MatMul classifier fed (through Flatten, Reshape or Squeeze) by a GlobalAveragePool, ReduceMean or 7x7 AveragePool " +
                "was found, and config.json names no 'embeddingTensor'")
            : new ModelOutputs(first, head.EmbeddingTensor, head.EmbeddingWidth, null, head, null);
    }

    private static ModelOutputs Features(GraphProto graph, ValueInfoProto first, long?[] dims, string? requested)
    {
        if (requested is not null)
        {
            return new ModelOutputs(null, requested, DeclaredWidth(graph, requested), null, null, null);
        }

        int? width = dims.Length is 2 or 4 && dims[1] is { } channels ? (int)channels : null;
        return dims.Length == 2
            ? new ModelOutputs(null, first.Name, width, null, null, null)
            : new ModelOutputs(null, first.Name + FlattenedSuffix, width, first.Name, null, null);
    }

    /// <summary>The last dimension of a rank-2 tensor's declared shape (value_info or graph output), if fixed.</summary>
    private static int? DeclaredWidth(GraphProto graph, string tensor)
    {
        var info = graph.ValueInfo.Concat(graph.Output).FirstOrDefault(v => v.Name == tensor);
        var dims = info is null ? [] : ValueInfos.Dimensions(info);
        return dims.Length == 2 && dims[1] is { } width ? (int)width : null;
    }
}

/// <param name="Logits">The logits output, or null for a feature extractor.</param>
/// <param name="EmbeddingTensor">The tensor served as the embedding (a graph output once prepared), or null.</param>
/// <param name="EmbeddingWidth">Its width when known.</param>
/// <param name="FlattenedFrom">The rank-4 [N, C, 1, 1] output that a Flatten node must turn into <paramref name="EmbeddingTensor"/>.</param>
/// <param name="Head">The classifier head whose input is the embedding, when that is how it was found.</param>
/// <param name="EmbeddingUnavailableReason">Why there is no embedding, when there is none.</param>
internal sealed record ModelOutputs(
    ValueInfoProto? Logits,
    string? EmbeddingTensor,
    int? EmbeddingWidth,
    string? FlattenedFrom,
    ClassifierHead? Head,
    string? EmbeddingUnavailableReason);
