using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Preparation;

/// <summary>
/// Finds the classifier of a CNN: the last Gemm or MatMul whose first input comes from a
/// GlobalAveragePool or ReduceMean, directly or through Flatten / Reshape / Squeeze. That input is
/// the embedding (the pooled feature vector).
/// </summary>
internal static class ClassifierLocator
{
    private static readonly HashSet<string> Pools = ["GlobalAveragePool", "ReduceMean"];
    private static readonly HashSet<string> ShapeOnly = ["Flatten", "Reshape", "Squeeze"];

    public static ClassifierHead? Find(GraphProto graph)
    {
        var producers = new Dictionary<string, NodeProto>();
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers[output] = node;
            }
        }

        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (IsStandard(node) && node.OpType is "Gemm" or "MatMul" && node.Input.Count >= 2 && IsFedByPool(node.Input[0], producers))
            {
                return Describe(graph, node);
            }
        }

        return null;
    }

    private static bool IsFedByPool(string tensor, Dictionary<string, NodeProto> producers)
    {
        for (var hops = 0; hops < 8 && producers.TryGetValue(tensor, out var producer) && IsStandard(producer); hops++)
        {
            if (Pools.Contains(producer.OpType))
            {
                return true;
            }

            if (!ShapeOnly.Contains(producer.OpType) || producer.Input.Count == 0)
            {
                return false;
            }

            tensor = producer.Input[0];
        }

        return false;
    }

    private static ClassifierHead Describe(GraphProto graph, NodeProto node)
    {
        var transposed = node.OpType == "Gemm" && OnnxAttributes.GetInt(node, "transB", 0) != 0;
        string? bias = node.OpType == "Gemm"
            ? (node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null)
            : FindBiasAdd(graph, node);
        var weight = graph.Initializer.FirstOrDefault(t => t.Name == node.Input[1]);
        int? width = weight is { Dims.Count: 2 } ? (int)weight.Dims[transposed ? 1 : 0] : null;
        return new ClassifierHead(node.Input[0], node.Input[1], bias, transposed, width);
    }

    /// <summary>MatMul + Add: the Add's initializer input is the bias.</summary>
    private static string? FindBiasAdd(GraphProto graph, NodeProto matMul)
    {
        var product = matMul.Output[0];
        var add = graph.Node.FirstOrDefault(n => n.OpType == "Add" && n.Input.Contains(product));
        var other = add?.Input.FirstOrDefault(input => input != product);
        return other is not null && graph.Initializer.Any(t => t.Name == other) ? other : null;
    }

    private static bool IsStandard(NodeProto node) => node.Domain is "" or "ai.onnx";
}
