using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Preparation;

/// <summary>
/// Finds the classifier of a CNN: the last Gemm or MatMul whose first input comes from a pool
/// (GlobalAveragePool, ReduceMean, or an AveragePool over the whole 7x7 map), directly or through
/// Flatten / Reshape / Squeeze. That input is the embedding (the pooled feature vector).
/// </summary>
internal static class ClassifierLocator
{
    private static readonly HashSet<string> ShapeOnly = ["Flatten", "Reshape", "Squeeze", "Identity"];

    public static Dictionary<string, NodeProto> Producers(GraphProto graph)
    {
        var producers = new Dictionary<string, NodeProto>();
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers[output] = node;
            }
        }

        return producers;
    }

    public static ClassifierHead? Find(GraphProto graph)
    {
        var producers = Producers(graph);
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (IsStandard(node) && node.OpType is "Gemm" or "MatMul" && node.Input.Count >= 2 && IsFedByPool(node.Input[0], producers, graph))
            {
                return Describe(graph, node);
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="tensor"/> is a pool's output, directly or through shape-only nodes.</summary>
    public static bool IsFedByPool(string tensor, Dictionary<string, NodeProto> producers, GraphProto graph)
    {
        for (var hops = 0; hops < 8 && producers.TryGetValue(tensor, out var producer) && IsStandard(producer); hops++)
        {
            if (IsPool(producer, graph))
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

    /// <summary>
    /// GlobalAveragePool and ReduceMean pool the whole map. An AveragePool does when its kernel is 7x7 (a ResNet's
    /// last map at 224x224, as CNTK and Caffe2 export it) or its output is declared [N, C, 1, 1].
    /// </summary>
    private static bool IsPool(NodeProto node, GraphProto graph)
    {
        if (node.OpType is "GlobalAveragePool" or "ReduceMean")
        {
            return true;
        }

        if (node.OpType != "AveragePool")
        {
            return false;
        }

        var kernel = node.Attribute.FirstOrDefault(a => a.Name == "kernel_shape");
        if (kernel is { Ints: [7, 7] })
        {
            return true;
        }

        var declared = graph.ValueInfo.Concat(graph.Output).FirstOrDefault(v => v.Name == node.Output[0]);
        var dims = declared is null ? [] : ValueInfos.Dimensions(declared);
        return dims is [_, _, 1, 1];
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
