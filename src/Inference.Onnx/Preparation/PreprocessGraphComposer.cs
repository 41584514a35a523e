using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Preparation;

/// <summary>
/// Composes a preprocessing graph in front of a model, as ML.NET pairs <c>ResNetPreprocess.onnx</c> with
/// <c>ResNet18.onnx</c>: the preprocessing graph's single input becomes the model's input, its single output
/// feeds what the model's input fed. One graph, so one session and one run per batch.
/// </summary>
internal static class PreprocessGraphComposer
{
    /// <summary>Prefix given to every tensor and node name that comes from the preprocessing graph.</summary>
    public const string Prefix = "preprocess/";

    /// <summary>
    /// Puts <paramref name="preprocessPath"/>'s graph in front of <paramref name="model"/>'s input
    /// <paramref name="modelInput"/>. The preprocessing graph must take one float tensor [N, 3, H, W] and give one
    /// float tensor; its input keeps its name and becomes the model's input.
    /// </summary>
    public static void Compose(ModelProto model, ValueInfoProto modelInput, string preprocessPath, string modelPath)
    {
        if (!File.Exists(preprocessPath))
        {
            throw new OnnxModelException($"Model '{modelPath}': preprocessGraph '{preprocessPath}' does not exist.");
        }

        ModelProto pre;
        try
        {
            pre = ModelProto.Parser.ParseFrom(File.ReadAllBytes(preprocessPath));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException($"preprocessGraph '{preprocessPath}' is not an ONNX model: {e.Message}", e);
        }

        var preGraph = pre.Graph;
        if (preGraph is null || preGraph.Node.Count == 0)
        {
            throw new OnnxModelException($"preprocessGraph '{preprocessPath}' holds no graph nodes.");
        }

        var preInitializers = preGraph.Initializer.Select(t => t.Name).ToHashSet();
        var preInputs = preGraph.Input.Where(i => !preInitializers.Contains(i.Name)).ToList();
        var preInputDims = preInputs.Count == 1 ? ValueInfos.Dimensions(preInputs[0]) : [];
        if (preInputs.Count != 1 || preInputDims.Length != 4 || preInputDims[1] is not (null or 3) ||
            preInputs[0].Type?.TensorType?.ElemType != ElementType.Float)
        {
            throw new OnnxModelException(
                $"preprocessGraph '{preprocessPath}' has inputs [{string.Join("; ", preInputs.Select(i => $"{i.Name} [{ImageInputReader.Describe(i)}]"))}]; " +
                "expected one float input [N, 3, H, W] (the resized, cropped image as RGB 0-255).");
        }

        if (preGraph.Output.Count != 1)
        {
            throw new OnnxModelException(
                $"preprocessGraph '{preprocessPath}' has {preGraph.Output.Count} outputs; expected one, which feeds model input '{modelInput.Name}'.");
        }

        // A quantized model (opset 13) in front of an older preprocessing graph: raise the latter's operators with it.
        if (Opset(model) is var modelOpset && modelOpset > Opset(pre) && modelOpset >= Quantization.QdqQuantizer.MinimumOpset)
        {
            Quantization.OpsetUpgrade.EnsureAtLeast(pre, modelOpset);
        }

        var graph = model.Graph;
        var preInput = preInputs[0];
        var preOutput = Prefix + preGraph.Output[0].Name;
        string Rename(string name) => name.Length == 0 || name == preInput.Name ? name : Prefix + name;

        // The model's input tensor is now produced by the preprocessing graph: rename its uses.
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == modelInput.Name)
                {
                    node.Input[i] = preOutput;
                }
            }
        }

        var nodes = preGraph.Node.Select(n =>
        {
            var copy = n.Clone();
            copy.Name = n.Name.Length == 0 ? string.Empty : Prefix + n.Name;
            for (var i = 0; i < copy.Input.Count; i++)
            {
                copy.Input[i] = Rename(copy.Input[i]);
            }

            for (var i = 0; i < copy.Output.Count; i++)
            {
                copy.Output[i] = Rename(copy.Output[i]);
            }

            return copy;
        }).ToList();
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            graph.Node.Insert(0, nodes[i]);
        }

        graph.Initializer.AddRange(preGraph.Initializer.Select(t =>
        {
            var copy = t.Clone();
            copy.Name = Prefix + t.Name;
            return copy;
        }));

        var position = graph.Input.IndexOf(modelInput);
        graph.Input[position] = preInput.Clone();
        MergeOpsets(model, pre);
    }

    private static long Opset(ModelProto model) =>
        model.OpsetImport.FirstOrDefault(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx")?.Version ?? 0;

    /// <summary>Per domain, the higher of the two opset versions (operators keep their meaning across versions for these graphs).</summary>
    private static void MergeOpsets(ModelProto model, ModelProto pre)
    {
        foreach (var opset in pre.OpsetImport)
        {
            var existing = model.OpsetImport.FirstOrDefault(o => o.Domain == opset.Domain);
            if (existing is null)
            {
                model.OpsetImport.Add(opset.Clone());
            }
            else if (opset.Version > existing.Version)
            {
                existing.Version = opset.Version;
            }
        }

        model.IrVersion = Math.Max(model.IrVersion, pre.IrVersion);
    }
}
