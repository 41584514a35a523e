using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Graph;

/// <summary>Reads and writes float tensors (initializers) in the forms ONNX allows.</summary>
public static class OnnxTensors
{
    /// <summary>A float tensor with its values in <c>raw_data</c> (little-endian), as exporters write them.</summary>
    public static TensorProto CreateFloat(string name, ReadOnlySpan<long> dims, ReadOnlySpan<float> values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (ElementCount(dims) != values.Length)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has {values.Length} values but its shape [{string.Join(',', dims.ToArray())}] holds {ElementCount(dims)}.",
                nameof(values));
        }

        var tensor = new TensorProto { Name = name, DataType = ElementType.Float };
        tensor.Dims.AddRange(dims.ToArray());
        tensor.RawData = ByteString.CopyFrom(ToLittleEndianBytes(values));
        return tensor;
    }

    /// <summary>The number of elements a tensor of shape <paramref name="dims"/> holds (1 for a scalar).</summary>
    public static long ElementCount(ReadOnlySpan<long> dims)
    {
        long count = 1;
        foreach (var dim in dims)
        {
            count = checked(count * dim);
        }

        return count;
    }

    /// <summary>
    /// The values of the float initializer <paramref name="initializerName"/>, from <c>raw_data</c>,
    /// <c>float_data</c> or the external data file under <paramref name="modelDirectory"/>.
    /// </summary>
    /// <exception cref="OnnxModelException">No such initializer, not float, or its data is missing or the wrong size.</exception>
    public static float[] ReadFloats(ModelProto model, string initializerName, string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(initializerName);
        var tensor = model.Graph?.Initializer.FirstOrDefault(t => t.Name == initializerName)
            ?? throw new OnnxModelException($"The model has no initializer named '{initializerName}'.");
        return ReadFloats(tensor, modelDirectory);
    }

    /// <summary>The values of a float tensor; see <see cref="ReadFloats(ModelProto, string, string)"/>.</summary>
    public static float[] ReadFloats(TensorProto tensor, string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DataType != ElementType.Float)
        {
            throw new OnnxModelException($"Initializer '{tensor.Name}' has element type {tensor.DataType}, not float (1).");
        }

        var count = ElementCount(tensor.Dims.ToArray());
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            return ReadExternal(tensor, count, modelDirectory);
        }

        if (tensor.FloatData.Count > 0)
        {
            return CheckCount(tensor, [.. tensor.FloatData], count);
        }

        return CheckCount(tensor, FromLittleEndianBytes(tensor.RawData.Span), count);
    }

    private static float[] ReadExternal(TensorProto tensor, long count, string modelDirectory)
    {
        var reference = ExternalDataReference.Parse(tensor);
        var path = reference.ResolvePath(modelDirectory);
        var byteCount = checked(count * sizeof(float));
        if (reference.Length is { } length && length != byteCount)
        {
            throw new OnnxModelException(
                $"Initializer '{tensor.Name}' declares {length} bytes of external data but its shape needs {byteCount}.");
        }

        if (!File.Exists(path))
        {
            throw new OnnxModelException($"External data file '{path}' for initializer '{tensor.Name}' does not exist.");
        }

        using var handle = File.OpenHandle(path);
        return FromLittleEndianBytes(reference.ReadBytes(handle, path, byteCount, tensor.Name));
    }

    private static float[] CheckCount(TensorProto tensor, float[] values, long count) =>
        values.Length == count
            ? values
            : throw new OnnxModelException(
                $"Initializer '{tensor.Name}' holds {values.Length} values but its shape [{string.Join(',', tensor.Dims)}] needs {count}.");

    private static byte[] ToLittleEndianBytes(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(bytes);
            return bytes;
        }

        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return bytes;
    }

    private static float[] FromLittleEndianBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new OnnxModelException($"A float tensor's raw data has {bytes.Length} bytes, not a multiple of 4.");
        }

        var values = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return values;
    }

    /// <summary>
    /// Drops the initializers that no node and no graph output reads any more (weights replaced by another form), and
    /// their listings among the graph inputs (IR 3 lists initializers there).
    /// </summary>
    public static void RemoveUnused(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var used = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        var unused = graph.Initializer.Where(t => !used.Contains(t.Name)).ToList();
        foreach (var tensor in unused)
        {
            graph.Initializer.Remove(tensor);
        }

        var names = unused.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var input in graph.Input.Where(i => names.Contains(i.Name)).ToList())
        {
            graph.Input.Remove(input);
        }
    }
}
