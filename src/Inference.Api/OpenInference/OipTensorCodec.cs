using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using Inference.Api.DataPlane;
using Inference.Engine.Inference;

namespace Inference.Api.OpenInference;

/// <summary>
/// The checks every binding applies to a client tensor (datatype, shape, element count, finite values), and the raw
/// tensor layout shared by gRPC's raw_*_contents and the REST binary extension: FP32 as little-endian floats,
/// BYTES as elements each prefixed by a 4-byte little-endian length. Every failure is an
/// <see cref="InferenceErrorCode.InvalidInput"/> (400 / INVALID_ARGUMENT) that names the tensor and the problem.
/// </summary>
internal static class OipTensorCodec
{
    /// <summary>The longest tensor name or datatype echoed back in an error.</summary>
    private const int MaxEcho = 64;

    /// <summary>The most dimensions a tensor may have (the served models take 4).</summary>
    private const int MaxRank = 32;

    /// <summary>The Open Inference Protocol's datatypes (with Triton's BF16).</summary>
    private static readonly FrozenSet<string> Datatypes = FrozenSet.Create(
        StringComparer.Ordinal,
        "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "BF16", "FP32", "FP64", "BYTES");

    /// <summary>FP32 and BYTES pass; any other datatype is refused before its data is read.</summary>
    public static void CheckDatatype(string tensorName, string datatype)
    {
        if (datatype is OipNames.Fp32 or OipNames.Bytes)
        {
            return;
        }

        throw Invalid(Datatypes.Contains(datatype)
            ? $"Input '{Echo(tensorName)}' has datatype '{datatype}'; send FP32 [N,3,H,W] tensors or BYTES [N] encoded images."
            : $"Input '{Echo(tensorName)}' has datatype '{Echo(datatype)}', which is not an Open Inference Protocol datatype ({string.Join(", ", Datatypes.Order(StringComparer.Ordinal))}).");
    }

    /// <summary>How many elements <paramref name="shape"/> holds: 1 to 32 dimensions, each at least 1, the product within one array.</summary>
    public static int ElementCount(string tensorName, IReadOnlyList<long> shape)
    {
        if (shape.Count == 0)
        {
            throw Invalid($"Input '{Echo(tensorName)}' has an empty shape []; the service takes FP32 [N,3,H,W] tensors or BYTES [N] images.");
        }

        if (shape.Count > MaxRank)
        {
            throw Invalid($"Input '{Echo(tensorName)}' has {shape.Count} dimensions; a tensor may have at most {MaxRank}.");
        }

        var count = 1L;
        var overflow = false;
        for (var i = 0; i < shape.Count; i++)
        {
            var dimension = shape[i];
            if (dimension < 1)
            {
                throw Invalid($"Input '{Echo(tensorName)}' has shape {Describe(shape)}: dimension {i} is {dimension}; every dimension must be at least 1.");
            }

            overflow |= count > long.MaxValue / dimension;
            count = overflow ? long.MaxValue : count * dimension;
        }

        if (overflow || count > Array.MaxLength)
        {
            var elements = overflow ? $"more than {long.MaxValue}" : count.ToString(CultureInfo.InvariantCulture);
            throw Invalid($"Input '{Echo(tensorName)}' has shape {Describe(shape)}: {elements} elements, more than the {Array.MaxLength} one tensor may hold.");
        }

        return (int)count;
    }

    /// <summary>
    /// Little-endian FP32 <paramref name="raw"/> (exactly the element count of <paramref name="shape"/>), checked finite
    /// now, as a source that copies each image's bytes straight into its slot: no float buffer beside the body.
    /// </summary>
    public static TensorSource Fp32Source(ReadOnlyMemory<byte> raw, string tensorName, long[] shape)
    {
        if (BitConverter.IsLittleEndian)
        {
            CheckFinite(tensorName, MemoryMarshal.Cast<byte, float>(raw.Span));
        }
        else
        {
            for (var i = 0; i < raw.Length / sizeof(float); i++)
            {
                var value = BinaryPrimitives.ReadSingleLittleEndian(raw.Span[(i * sizeof(float))..]);
                if (!float.IsFinite(value))
                {
                    throw NonFinite(tensorName, i, value);
                }
            }
        }

        var images = (int)shape[0];
        return new RawFp32Source(raw, images, raw.Length / sizeof(float) / images);
    }

    private sealed class RawFp32Source(ReadOnlyMemory<byte> raw, int count, int perImage) : TensorSource(count, perImage)
    {
        public override void Fill(int image, Span<float> slot)
        {
            var bytes = raw.Span.Slice(image * PerImage * sizeof(float), PerImage * sizeof(float));
            if (BitConverter.IsLittleEndian)
            {
                bytes.CopyTo(MemoryMarshal.AsBytes(slot));
                return;
            }

            for (var i = 0; i < PerImage; i++)
            {
                slot[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
            }
        }
    }

    /// <summary>
    /// Refuses NaN and ±Infinity in an input: a preprocessed image never holds one, and the model would answer NaN
    /// scores for it without saying why.
    /// </summary>
    public static void CheckFinite(string tensorName, ReadOnlySpan<float> values)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // x - x is 0 for every finite x and NaN for NaN and ±Infinity.
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var vector = new Vector<float>(values[i..]);
                if (!Vector.EqualsAll(vector - vector, Vector<float>.Zero))
                {
                    break;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw NonFinite(tensorName, i, values[i]);
            }
        }
    }

    /// <summary>The error for a NaN or ±Infinity at <paramref name="index"/> of an input.</summary>
    public static InferenceException NonFinite(string tensorName, int index, float value) =>
        Invalid($"Input '{Echo(tensorName)}': FP32 value [{index}] is {value.ToString(CultureInfo.InvariantCulture)}; input values must be finite numbers.");

    /// <summary>The length-prefixed BYTES elements of <paramref name="raw"/>, as slices of it (no copy).</summary>
    public static List<ReadOnlyMemory<byte>> ReadBytes(ReadOnlyMemory<byte> raw, string tensorName)
    {
        var elements = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        while (offset < raw.Length)
        {
            if (raw.Length - offset < 4)
            {
                throw Invalid($"Input '{Echo(tensorName)}': BYTES element {elements.Count} has a truncated 4-byte length prefix.");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(raw.Span[offset..]);
            offset += 4;
            if (length > (uint)(raw.Length - offset))
            {
                throw Invalid($"Input '{Echo(tensorName)}': BYTES element {elements.Count} claims {length} bytes but only {raw.Length - offset} remain.");
            }

            elements.Add(raw.Slice(offset, (int)length));
            offset += (int)length;
        }

        return elements;
    }

    /// <summary>Checks that a BYTES tensor has as many elements as its shape holds.</summary>
    public static void CheckBytesCount(string tensorName, IReadOnlyList<long> shape, int elements)
    {
        var expected = ElementCount(tensorName, shape);
        if (elements != expected)
        {
            throw Invalid(
                $"Input '{Echo(tensorName)}' has {elements} BYTES elements; shape {Describe(shape)} needs {expected} (BYTES inputs take shape [N] with N encoded images).");
        }
    }

    public static byte[] WriteFp32(ReadOnlySpan<float> values) => MemoryMarshal.AsBytes(values).ToArray();

    public static byte[] WriteBytes(IReadOnlyList<string> elements)
    {
        var encoded = elements.Select(Encoding.UTF8.GetBytes).ToArray();
        var buffer = new byte[encoded.Sum(static e => 4 + e.Length)];
        var offset = 0;
        foreach (var element in encoded)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset), (uint)element.Length);
            element.CopyTo(buffer.AsSpan(offset + 4));
            offset += 4 + element.Length;
        }

        return buffer;
    }

    /// <summary>A shape as <c>[a,b,c]</c>, its first 8 dimensions only.</summary>
    public static string Describe(IReadOnlyList<long> shape) =>
        shape.Count <= 8 ? $"[{string.Join(",", shape)}]" : $"[{string.Join(",", shape.Take(8))},... ({shape.Count} dimensions)]";

    /// <summary>Client text echoed in an error, cut to <see cref="MaxEcho"/> characters.</summary>
    public static string Echo(string text) => text.Length <= MaxEcho ? text : $"{text[..MaxEcho]}...";

    public static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);
}
