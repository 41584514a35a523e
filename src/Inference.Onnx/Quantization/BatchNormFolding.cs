using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Quantization;

/// <summary>
/// Folds each inference-mode BatchNormalization into the Conv that alone feeds it: per output channel
/// c, <c>W'[c] = W[c] · γ[c] / √(σ²[c] + ε)</c> and <c>b'[c] = (b[c] − μ[c]) · γ[c] / √(σ²[c] + ε) + β[c]</c>.
/// ONNX Runtime fuses Conv+BN itself in FP32, but the int8 weights must be made from the folded ones (a
/// QDQ pair between a Conv and its BN would keep both in float), so quantization folds first.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>Folds in place; returns the number of BatchNormalization nodes removed.</summary>
    /// <param name="model">The model to edit (its folded weights are written inline, as float raw data).</param>
    /// <param name="modelDirectory">Where external data of its initializers lies.</param>
    public static int Fold(ModelProto model, string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers[output] = node;
            }

            foreach (var input in node.Input)
            {
                uses[input] = uses.GetValueOrDefault(input) + 1;
            }
        }

        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var folded = new List<NodeProto>();
        foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization" && string.IsNullOrEmpty(n.Domain)).ToList())
        {
            if (bn.Input.Count != 5 || bn.Output.Count != 1 || !bn.Input.Skip(1).All(initializers.ContainsKey) ||
                !producers.TryGetValue(bn.Input[0], out var conv) || conv.OpType != "Conv" || conv.Output.Count != 1 ||
                uses.GetValueOrDefault(bn.Input[0]) != 1 || outputs.Contains(bn.Input[0]) ||
                conv.Input.Count < 2 || !initializers.TryGetValue(conv.Input[1], out var weightTensor) ||
                uses.GetValueOrDefault(conv.Input[1]) != 1 || weightTensor.Dims.Count < 2 ||
                (conv.Input.Count > 2 && conv.Input[2].Length > 0 &&
                 (!initializers.ContainsKey(conv.Input[2]) || uses.GetValueOrDefault(conv.Input[2]) != 1)))
            {
                continue;
            }

            var channels = (int)weightTensor.Dims[0];
            var gamma = OnnxTensors.ReadFloats(initializers[bn.Input[1]], modelDirectory);
            var beta = OnnxTensors.ReadFloats(initializers[bn.Input[2]], modelDirectory);
            var mean = OnnxTensors.ReadFloats(initializers[bn.Input[3]], modelDirectory);
            var variance = OnnxTensors.ReadFloats(initializers[bn.Input[4]], modelDirectory);
            var epsilon = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon") is { HasF: true } e ? e.F : 1e-5f;
            if (new[] { gamma, beta, mean, variance }.Any(p => p.Length != channels))
            {
                continue;
            }

            var factor = new double[channels];
            for (var c = 0; c < channels; c++)
            {
                factor[c] = gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
            }

            if (factor.Any(f => !double.IsFinite(f)))
            {
                continue;
            }

            var weights = OnnxTensors.ReadFloats(weightTensor, modelDirectory);
            var perChannel = weights.Length / channels;
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = (float)(weights[i] * factor[i / perChannel]);
            }

            var hasBias = conv.Input.Count > 2 && conv.Input[2].Length > 0;
            var bias = hasBias ? OnnxTensors.ReadFloats(initializers[conv.Input[2]], modelDirectory) : new float[channels];
            for (var c = 0; c < channels; c++)
            {
                bias[c] = (float)(((bias[c] - (double)mean[c]) * factor[c]) + beta[c]);
            }

            Replace(graph, initializers, conv.Input[1], OnnxTensors.CreateFloat(conv.Input[1], weightTensor.Dims.ToArray(), weights));
            var biasName = hasBias ? conv.Input[2] : conv.Output[0] + "_folded_bias";
            Replace(graph, initializers, biasName, OnnxTensors.CreateFloat(biasName, [channels], bias));
            while (conv.Input.Count < 3)
            {
                conv.Input.Add(string.Empty);
            }

            conv.Input[2] = biasName;
            conv.Output[0] = bn.Output[0];
            folded.Add(bn);
        }

        foreach (var bn in folded)
        {
            graph.Node.Remove(bn);
        }

        OnnxTensors.RemoveUnused(graph);
        return folded.Count;
    }

    private static void Replace(GraphProto graph, Dictionary<string, TensorProto> initializers, string name, TensorProto tensor)
    {
        if (initializers.TryGetValue(name, out var old))
        {
            graph.Initializer.Remove(old);
        }

        graph.Initializer.Add(tensor);
        initializers[name] = tensor;
    }
}
