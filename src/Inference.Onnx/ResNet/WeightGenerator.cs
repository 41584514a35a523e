using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.ResNet;

/// <summary>
/// Fills initializers with seeded uniform values (Kaiming-uniform style, as torch initializes
/// convolutions). Each tensor has its own stream, derived from the seed and its index, so the
/// tensors are generated in parallel and the bytes never depend on scheduling. Only integer
/// arithmetic and one float multiply per value are involved: no transcendental functions whose
/// last bit could differ between platforms.
/// </summary>
internal static class WeightGenerator
{
    private const float TwoToMinus24 = 1f / (1 << 24);

    public static TensorProto[] Generate(IReadOnlyList<WeightSpec> specs, ulong seed)
    {
        var tensors = new TensorProto[specs.Count];
        Parallel.For(0, specs.Count, i => tensors[i] = Generate(specs[i], StreamSeed(seed, i)));
        return tensors;
    }

    private static TensorProto Generate(WeightSpec spec, ulong streamSeed)
    {
        var count = checked((int)OnnxTensors.ElementCount(spec.Dims));
        var bytes = new byte[count * sizeof(float)];
        var rng = new Xoshiro256(streamSeed);
        var scale = spec.Bound * TwoToMinus24;
        if (BitConverter.IsLittleEndian)
        {
            var values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = NextSigned25(ref rng) * scale;
            }
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), NextSigned25(ref rng) * scale);
            }
        }

        var tensor = new TensorProto { Name = spec.Name, DataType = ElementType.Float };
        tensor.Dims.AddRange(spec.Dims);
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
        return tensor;
    }

    /// <summary>An integer uniform in [-2^24, 2^24), exactly representable as a float.</summary>
    private static int NextSigned25(ref Xoshiro256 rng) => (int)(rng.NextUInt64() >> 39) - (1 << 24);

    private static ulong StreamSeed(ulong seed, int index)
    {
        var state = seed ^ ((ulong)index * 0xD1B54A32D192ED03UL);
        return Xoshiro256.SplitMix64(ref state);
    }
}
