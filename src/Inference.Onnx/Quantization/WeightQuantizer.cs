using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Quantization;

/// <summary>The int8 weight range used (127 or 63) and whether each output channel has its own scale.</summary>
internal readonly record struct WeightFormat(int Max, bool PerChannel);

/// <summary>int8 symmetric per-channel (or per-tensor) weights and int32 biases, each behind a DequantizeLinear.</summary>
internal static class WeightQuantizer
{
    public static void Quantize(
        GraphProto graph, WeightSite site, float inputScale, string modelDirectory, WeightFormat format, List<TensorProto> initializers, List<NodeProto> nodes)
    {
        var node = graph.Node[site.NodeIndex];
        var weightTensor = graph.Initializer.First(t => t.Name == site.Weight);
        var dims = weightTensor.Dims.ToArray();
        if (site.Axis >= dims.Length)
        {
            return;
        }

        var weights = OnnxTensors.ReadFloats(weightTensor, modelDirectory);
        var channels = (int)dims[site.Axis];
        var inner = (int)(OnnxTensors.ElementCount(dims.AsSpan(site.Axis + 1)));
        var scales = new float[channels];
        for (var i = 0; i < weights.Length; i++)
        {
            var c = (i / inner) % channels;
            scales[c] = Math.Max(scales[c], Math.Abs(weights[i]));
        }

        if (!format.PerChannel)
        {
            Array.Fill(scales, scales.Max());
        }

        for (var c = 0; c < channels; c++)
        {
            scales[c] = scales[c] > 0 ? scales[c] / format.Max : 1f;
        }

        var quantized = new sbyte[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            var c = (i / inner) % channels;
            quantized[i] = (sbyte)Math.Clamp(Math.Round(weights[i] / scales[c], MidpointRounding.ToEven), -format.Max, format.Max);
        }

        var name = UniqueName(site.Weight, node);
        initializers.Add(QuantizedTensors.Int8(name + "_quantized", dims, quantized));
        initializers.Add(OnnxTensors.CreateFloat(name + "_scale", [channels], scales));
        initializers.Add(QuantizedTensors.Int8(name + "_zero_point", [channels], new sbyte[channels]));
        nodes.Add(Dequantize(name, site.Axis));
        node.Input[1] = name + "_dequantized";

        if (site.Bias is null)
        {
            return;
        }

        var biasTensor = graph.Initializer.First(t => t.Name == site.Bias);
        if (biasTensor.Dims.Count != 1 || biasTensor.Dims[0] != channels)
        {
            return;
        }

        var bias = OnnxTensors.ReadFloats(biasTensor, modelDirectory);
        var biasScales = new float[channels];
        var biasValues = new int[channels];
        for (var c = 0; c < channels; c++)
        {
            biasScales[c] = inputScale * scales[c];
            biasValues[c] = (int)Math.Clamp(Math.Round(bias[c] / biasScales[c], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
        }

        var biasName = UniqueName(site.Bias, node);
        initializers.Add(QuantizedTensors.Int32(biasName + "_quantized", [channels], biasValues));
        initializers.Add(OnnxTensors.CreateFloat(biasName + "_scale", [channels], biasScales));
        initializers.Add(QuantizedTensors.Int32(biasName + "_zero_point", [channels], new int[channels]));
        nodes.Add(Dequantize(biasName, 0));
        node.Input[2] = biasName + "_dequantized";
    }

    /// <summary>The initializer's name, or node-qualified when another node shares the same initializer.</summary>
    private static string UniqueName(string initializer, NodeProto node) =>
        node.Name is { Length: > 0 } nodeName ? $"{initializer}@{nodeName}" : initializer;

    private static NodeProto Dequantize(string name, int axis)
    {
        var node = new NodeProto { Name = name + "_DequantizeLinear", OpType = "DequantizeLinear" };
        node.Input.AddRange([name + "_quantized", name + "_scale", name + "_zero_point"]);
        node.Output.Add(name + "_dequantized");
        node.Attribute.Add(OnnxAttributes.Int("axis", axis));
        return node;
    }
}

/// <summary>Integer tensors with their values in <c>raw_data</c>, little-endian.</summary>
internal static class QuantizedTensors
{
    public const int UInt8Type = 2;
    public const int Int8Type = 3;
    public const int Int32Type = 6;

    public static TensorProto UInt8(string name, long[] dims, byte[] values) => Create(name, dims, UInt8Type, values);

    public static TensorProto Int8(string name, long[] dims, sbyte[] values) =>
        Create(name, dims, Int8Type, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static TensorProto Int32(string name, long[] dims, int[] values)
    {
        var bytes = new byte[values.Length * sizeof(int)];
        for (var i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(int)), values[i]);
        }

        return Create(name, dims, Int32Type, bytes);
    }

    private static TensorProto Create(string name, long[] dims, int type, byte[] bytes)
    {
        var tensor = new TensorProto { Name = name, DataType = type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
