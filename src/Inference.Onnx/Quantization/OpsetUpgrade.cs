using Inference.Onnx.Protos;

namespace Inference.Onnx.Quantization;

/// <summary>
/// Raises a model's default-domain opset where that changes no node's meaning: only for operators whose
/// semantics (with the attributes present) are the same from the model's opset up to the target.
/// </summary>
internal static class OpsetUpgrade
{
    /// <summary>Operators whose meaning is unchanged from opset 7 to 13 (BatchNormalization once 'spatial' = 1 is dropped).</summary>
    private static readonly HashSet<string> Stable =
    [
        "Add", "AveragePool", "BatchNormalization", "Concat", "Conv", "Flatten", "Gemm", "GlobalAveragePool",
        "Identity", "MatMul", "MaxPool", "Mul", "Relu", "Reshape", "Sub", "Sum",
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
}
