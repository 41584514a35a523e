using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Quantization;

/// <summary>
/// Raises a model's default-domain opset where that changes no node's meaning: only for operators whose
/// semantics (with the attributes present) are the same from the model's opset up to the target, and Split,
/// whose <c>split</c> attribute becomes an input at opset 13.
/// </summary>
internal static class OpsetUpgrade
{
    /// <summary>Operators whose meaning is unchanged from opset 7 to 13 (BatchNormalization once 'spatial' = 1 is dropped).</summary>
    private static readonly HashSet<string> Stable =
    [
        "Add", "AveragePool", "BatchNormalization", "Concat", "Conv", "Flatten", "Gemm", "GlobalAveragePool",
        "Identity", "MatMul", "MaxPool", "Mul", "Relu", "Reshape", "Split", "Sub", "Sum",
    ];

    /// <summary>The IR version that opset 13 came with (IR 7).</summary>
    private const long IrVersionForOpset13 = 7;

    public static void EnsureAtLeast(ModelProto model, long opset)
    {
        var import = model.OpsetImport.FirstOrDefault(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx")
            ?? throw new OnnxModelException("The model imports no default-domain (ai.onnx) opset.");
        if (import.Version >= opset)
        {
            return;
        }

        if (import.Version < 7)
        {
            throw new OnnxModelException($"The model's opset {import.Version} is below 7; quantization needs opset {opset}.");
        }

        var unsupported = model.Graph.Node.Select(n => n.OpType).Where(op => !Stable.Contains(op)).Distinct().ToList();
        if (unsupported.Count > 0)
        {
            throw new OnnxModelException(
                $"The model's opset {import.Version} must be raised to {opset} for per-channel quantization, and these operators " +
                $"may change meaning on the way: {string.Join(", ", unsupported)}. Convert the model to opset {opset} first.");
        }

        foreach (var node in model.Graph.Node.Where(n => n.OpType == "BatchNormalization"))
        {
            var spatial = node.Attribute.FirstOrDefault(a => a.Name == "spatial");
            if (spatial is not null && spatial.I != 1)
            {
                throw new OnnxModelException($"BatchNormalization '{node.Name}' has spatial = {spatial.I}, which opset 9 and later cannot express.");
            }

            if (spatial is not null)
            {
                node.Attribute.Remove(spatial);
            }
        }

        if (opset >= 13)
        {
            MoveSplitSizesToInputs(model.Graph);
        }

        // IR 3 lists initializers among the graph inputs, which makes ORT treat them as overridable (not
        // constant) and then neither fold nor fuse them. From IR 4 they need not be listed.
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var input in model.Graph.Input.Where(i => initializers.Contains(i.Name)).ToList())
        {
            model.Graph.Input.Remove(input);
        }

        import.Version = opset;
        model.IrVersion = Math.Max(model.IrVersion, IrVersionForOpset13);
    }

    /// <summary>Split's sizes: an attribute to opset 12, an int64 input from 13 (ML.NET's ResNetPreprocess.onnx splits RGB this way).</summary>
    private static void MoveSplitSizesToInputs(GraphProto graph)
    {
        foreach (var node in graph.Node.Where(n => n.OpType == "Split"))
        {
            var sizes = node.Attribute.FirstOrDefault(a => a.Name == "split");
            if (sizes is null)
            {
                continue;
            }

            var name = (node.Name.Length > 0 ? node.Name : node.Output[0]) + "_split_sizes";
            var tensor = new TensorProto { Name = name, DataType = ElementType.Int64 };
            tensor.Dims.Add(sizes.Ints.Count);
            tensor.Int64Data.AddRange(sizes.Ints);
            graph.Initializer.Add(tensor);
            while (node.Input.Count < 2)
            {
                node.Input.Add(string.Empty);
            }

            node.Input[1] = name;
            node.Attribute.Remove(sizes);
        }
    }
}
