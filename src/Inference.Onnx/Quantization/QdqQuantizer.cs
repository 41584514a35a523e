using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Quantization;

/// <summary>
/// Static quantization in QDQ form: uint8 asymmetric per-tensor activations and int8 symmetric per-channel
/// weights with int32 biases (scale = input scale x weight scale), the U8S8 combination ONNX Runtime's CPU
/// kernels fuse into QLinearConv / QGemm / QLinearMatMul (VNNI where the CPU has it). The float graph is
/// left intact around the Q/DQ pairs, so the model runs, unfused, on any ONNX runtime.
/// </summary>
public static class QdqQuantizer
{
    /// <summary>
    /// Weights in 7 bits ([-63, 63]), as ONNX Runtime advises for U8S8 on AVX2 and AVX-512 without VNNI: there
    /// <c>vpmaddubsw</c> adds two u8 x s8 products into a saturating int16, which full-range weights can overflow.
    /// </summary>
    public const int ReducedWeightMax = 63;

    /// <summary>The opset the per-channel <c>axis</c> attribute of Q/DQ needs.</summary>
    public const long MinimumOpset = 13;

    /// <summary>Metadata key written on the quantized model.</summary>
    public const string PrecisionMetadataKey = "inference.precision";

    /// <summary>
    /// Returns a quantized copy of <paramref name="model"/>. <paramref name="ranges"/> holds the calibrated
    /// range of every tensor in <see cref="QdqPlan.Activations"/>.
    /// </summary>
    /// <param name="weightMax">The largest int8 weight magnitude: 127, or <see cref="ReducedWeightMax"/>.</param>
    /// <param name="perChannel">One weight scale per output channel (true) or per tensor.</param>
    /// <exception cref="OnnxModelException">A range is missing, or the model's opset cannot be raised to 13.</exception>
    public static ModelProto Quantize(
        ModelProto model, QdqPlan plan, IReadOnlyDictionary<string, TensorRange> ranges, string modelDirectory, int weightMax = 127, bool perChannel = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weightMax, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weightMax, 127);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(ranges);
        var result = model.Clone();
        OpsetUpgrade.EnsureAtLeast(result, MinimumOpset);
        var graph = result.Graph;
        var parameters = new Dictionary<string, ActivationParameters>(StringComparer.Ordinal);
        foreach (var tensor in plan.Activations)
        {
            if (!ranges.TryGetValue(tensor, out var range))
            {
                throw new OnnxModelException($"No calibration range for tensor '{tensor}'.");
            }

            parameters[tensor] = ActivationParameters.From(range);
        }

        foreach (var (output, input) in plan.Tied)
        {
            parameters[output] = parameters[input];
        }

        var newInitializers = new List<TensorProto>();
        var weightNodes = new List<NodeProto>();
        foreach (var site in plan.Weights)
        {
            WeightQuantizer.Quantize(graph, site, parameters[site.Activation].Scale, modelDirectory, new WeightFormat(weightMax, perChannel), newInitializers, weightNodes);
        }

        InsertActivationPairs(graph, parameters, newInitializers, weightNodes);
        graph.Initializer.AddRange(newInitializers);
        OnnxTensors.RemoveUnused(graph);
        result.MetadataProps.Add(new StringStringEntryProto { Key = PrecisionMetadataKey, Value = "int8" });
        return result;
    }

    private static void InsertActivationPairs(
        GraphProto graph, Dictionary<string, ActivationParameters> parameters, List<TensorProto> initializers, List<NodeProto> leading)
    {
        foreach (var (tensor, p) in parameters)
        {
            initializers.Add(OnnxTensors.CreateFloat(tensor + "_scale", [], [p.Scale]));
            initializers.Add(QuantizedTensors.UInt8(tensor + "_zero_point", [], [p.ZeroPoint]));
        }

        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (parameters.ContainsKey(node.Input[i]))
                {
                    node.Input[i] += "_dequantized";
                }
            }
        }

        var nodes = new List<NodeProto>(leading);
        foreach (var input in graph.Input.Where(i => parameters.ContainsKey(i.Name)))
        {
            nodes.AddRange(Pair(input.Name));
        }

        foreach (var node in graph.Node)
        {
            nodes.Add(node);
            foreach (var output in node.Output.Where(parameters.ContainsKey))
            {
                nodes.AddRange(Pair(output));
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
    }

    private static NodeProto[] Pair(string tensor)
    {
        var quantize = new NodeProto { Name = tensor + "_QuantizeLinear", OpType = "QuantizeLinear" };
        quantize.Input.AddRange([tensor, tensor + "_scale", tensor + "_zero_point"]);
        quantize.Output.Add(tensor + "_quantized");
        var dequantize = new NodeProto { Name = tensor + "_DequantizeLinear", OpType = "DequantizeLinear" };
        dequantize.Input.AddRange([tensor + "_quantized", tensor + "_scale", tensor + "_zero_point"]);
        dequantize.Output.Add(tensor + "_dequantized");
        return [quantize, dequantize];
    }

    /// <summary>uint8 asymmetric parameters; the range always holds 0, which is then exact.</summary>
    private readonly record struct ActivationParameters(float Scale, byte ZeroPoint)
    {
        public static ActivationParameters From(TensorRange range)
        {
            var min = Math.Min(0, range.Min);
            var max = Math.Max(0, range.Max);
            var scale = (max - min) / 255f;
            if (!(scale > 0) || !float.IsFinite(scale))
            {
                return new ActivationParameters(1, 0);
            }

            var zeroPoint = Math.Clamp(Math.Round(-min / scale), 0, 255);
            return new ActivationParameters(scale, (byte)zeroPoint);
        }
    }
}
