using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Inference.Engine.Inference;

namespace Inference.Api.OpenInference;

/// <summary>
/// The raw tensor layout shared by gRPC's raw_*_contents and the REST binary extension: FP32 as little-endian
/// floats, BYTES as elements each prefixed by a 4-byte little-endian length.
/// </summary>
internal static class OipTensorCodec
{
    public static float[] ReadFp32(ReadOnlySpan<byte> raw, string tensorName)
    {
        if (raw.Length % sizeof(float) != 0)
        {
            throw Invalid($"Input '{tensorName}': {raw.Length} raw bytes is not a whole number of FP32 values.");
        }

        var values = new float[raw.Length / sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            raw.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
            }
        }

        return values;
    }

    public static List<ReadOnlyMemory<byte>> ReadBytes(ReadOnlyMemory<byte> raw, string tensorName)
    {
        var elements = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        while (offset < raw.Length)
        {
            if (raw.Length - offset < 4)
            {
                throw Invalid($"Input '{tensorName}': BYTES element {elements.Count} has a truncated 4-byte length prefix.");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(raw.Span[offset..]);
            offset += 4;
            if (length > (uint)(raw.Length - offset))
            {
                throw Invalid($"Input '{tensorName}': BYTES element {elements.Count} claims {length} bytes but only {raw.Length - offset} remain.");
            }

            elements.Add(raw.Slice(offset, (int)length));
            offset += (int)length;
        }

        return elements;
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

    public static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);
}
