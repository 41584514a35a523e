using System.Globalization;
using Google.Protobuf;
using Inference.Onnx.Protos;
using Microsoft.Win32.SafeHandles;

namespace Inference.Onnx.Graph;

/// <summary>
/// What identifies the contents of a model file without reading it: its length, last write and creation (birth) time.
/// A file replaced by a rename or rewritten in place changes at least one of them (a copy that keeps the write time, as
/// <c>cp -p</c> does, is a new file with a new creation time).
/// </summary>
public sealed record ModelFileStamp(long Length, DateTime LastWriteUtc, DateTime CreationUtc)
{
    /// <summary>The stamp of the file at <paramref name="path"/> now.</summary>
    public static ModelFileStamp Of(string path)
    {
        var file = new FileInfo(path);
        return new ModelFileStamp(file.Length, file.LastWriteTimeUtc, file.CreationTimeUtc);
    }
}

/// <summary>
/// Reads an ONNX file without reading its weights: every main-graph initializer whose <c>raw_data</c> holds at least
/// <see cref="MinimumBytes"/> comes back as external data that points at those same bytes inside the file itself
/// (<c>location</c> = the file's name, <c>offset</c>, <c>length</c>). The graph is parsed; the weights are skipped
/// over, never copied. Given that model and the file's folder, ONNX Runtime maps the weights from the page cache
/// instead of parsing them out of a serialised copy (resnet152: 4.8 s and 1.07 GB to a session, against 1.9 s and
/// 0.43 GB; bench/README).
/// </summary>
/// <remarks>
/// Smaller tensors (biases, small kernels) stay inline: ORT tends to use them as they are, which would keep a mapping
/// of the file open for the session's life (see <see cref="Inline"/>). Initializers already stored externally, those
/// kept in <c>float_data</c> and the like, and those of subgraphs are left as the file has them.
/// </remarks>
public static class WeightReferences
{
    /// <summary>The smallest <c>raw_data</c>, in bytes, that is referenced instead of read.</summary>
    public const int MinimumBytes = 64 * 1024;

    // Field numbers from onnx.proto: ModelProto.graph, GraphProto.initializer, and TensorProto's fields.
    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;
    private const int TensorRawData = 9;
    private const int TensorExternalData = 13;
    private const int TensorDataLocation = 14;

    /// <summary>The model at <paramref name="path"/>, its large weights referenced in place.</summary>
    /// <exception cref="OnnxModelException">The file is not a well-formed ONNX protobuf.</exception>
    public static ModelProto Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.RandomAccess);
        var reader = new Reader(file, path);
        try
        {
            return ModelProto.Parser.ParseFrom(reader.Message(file.Length, depth: 0));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
    }

    /// <summary>True when <paramref name="tensor"/> is stored in the model file at <paramref name="modelPath"/> itself.</summary>
    public static bool PointsInto(TensorProto tensor, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.DataLocation == TensorProto.Types.DataLocation.External
            && ExternalDataReference.Parse(tensor).ResolvePath(Path.GetDirectoryName(Path.GetFullPath(modelPath))!) == Path.GetFullPath(modelPath);
    }

    /// <summary>
    /// A copy of <paramref name="model"/> whose externally stored main-graph initializers hold their bytes again, those
    /// that point into <paramref name="modelPath"/> and those in the export's own data files alike: for a session that
    /// must not keep any of those files mapped. <paramref name="model"/> is left as it is.
    /// </summary>
    /// <exception cref="OnnxModelException">A file no longer holds the bytes it should.</exception>
    public static ModelProto Inline(ModelProto model, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(model);
        var copy = model.Clone();
        ReadIn(copy, modelPath, long.MaxValue);
        return copy;
    }

    /// <summary>
    /// Reads into <paramref name="model"/> itself the bytes of every externally stored main-graph initializer of fewer
    /// than <paramref name="belowBytes"/> bytes, wherever they are stored (the model file, or a data file beside it), and
    /// returns how many it read. ONNX Runtime uses small tensors as the file holds them, which keeps a file mapped for the
    /// session's life; read in, they are not.
    /// </summary>
    /// <exception cref="OnnxModelException">A file does not hold the bytes it should, or cannot be read.</exception>
    public static int ReadIn(ModelProto model, string modelPath, long belowBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var files = new Dictionary<string, SafeFileHandle>();
        var count = 0;
        try
        {
            foreach (var tensor in model.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
            {
                var reference = ExternalDataReference.Parse(tensor);
                var length = StoredLength(tensor, reference);
                if (length >= belowBytes)
                {
                    continue;
                }

                var path = reference.ResolvePath(directory);
                if (!files.TryGetValue(path, out var file))
                {
                    files[path] = file = File.OpenHandle(path);
                }

                tensor.RawData = UnsafeByteOperations.UnsafeWrap(reference.ReadBytes(file, path, length, tensor.Name));
                tensor.ExternalData.Clear();
                tensor.ClearDataLocation();
                count++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OnnxModelException($"Model '{modelPath}': its weights could not be read: {e.Message}", e);
        }
        finally
        {
            foreach (var file in files.Values)
            {
                file.Dispose();
            }
        }

        return count;
    }

    /// <summary>
    /// The bytes an externally stored tensor takes in its file: its <c>length</c>, or where it names none, its element
    /// count times the element's size.
    /// </summary>
    internal static long StoredLength(TensorProto tensor, ExternalDataReference reference)
    {
        if (reference.Length is { } length)
        {
            return length;
        }

        int size = tensor.DataType switch
        {
            (int)TensorProto.Types.DataType.Uint8 or (int)TensorProto.Types.DataType.Int8 or (int)TensorProto.Types.DataType.Bool => 1,
            (int)TensorProto.Types.DataType.Uint16 or (int)TensorProto.Types.DataType.Int16 or (int)TensorProto.Types.DataType.Float16
                or (int)TensorProto.Types.DataType.Bfloat16 => 2,
            (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Int32 or (int)TensorProto.Types.DataType.Uint32 => 4,
            (int)TensorProto.Types.DataType.Double or (int)TensorProto.Types.DataType.Int64 or (int)TensorProto.Types.DataType.Uint64 => 8,
            _ => throw new OnnxModelException(
                $"Initializer '{tensor.Name}' is stored externally without a 'length', and its data type {tensor.DataType} does not tell it."),
        };
        return checked(tensor.Dims.Aggregate(1L, (product, dim) => product * dim) * size);
    }

    /// <summary>A forward-only walk over the file's wire format that writes everything but the skipped weights.</summary>
    private sealed class Reader(FileStream file, string path)
    {
        private readonly string _location = Path.GetFileName(path);

        /// <summary>
        /// The message that ends at <paramref name="end"/>, rewritten. Depth 0 is the ModelProto, 1 its graph, 2 one of
        /// the graph's initializers; only those are descended into.
        /// </summary>
        public byte[] Message(long end, int depth)
        {
            using var output = new MemoryStream();
            long rawOffset = -1, rawLength = 0;
            var external = false;
            while (file.Position < end)
            {
                var tag = Varint();
                var (field, wireType) = ((int)(tag >> 3), (int)(tag & 7));
                if (wireType == 2)
                {
                    var length = Length(end);
                    if ((depth == 0 && field == ModelGraph) || (depth == 1 && field == GraphInitializer))
                    {
                        var inner = Message(file.Position + length, depth + 1);
                        WriteField(output, tag, inner);
                        continue;
                    }

                    if (depth == 2 && field == TensorRawData)
                    {
                        // Repeated, the last one wins (as protobuf merges bytes fields); it is written once, at the end.
                        (rawOffset, rawLength) = (file.Position, length);
                        file.Seek(length, SeekOrigin.Current);
                        continue;
                    }

                    external |= depth == 2 && field == TensorExternalData;
                    WriteField(output, tag, ReadBytes(length));
                    continue;
                }

                WriteVarint(output, tag);
                switch (wireType)
                {
                    case 0:
                        var value = Varint();
                        external |= depth == 2 && field == TensorDataLocation && value == 1;
                        WriteVarint(output, value);
                        break;
                    case 1:
                        output.Write(ReadBytes(8));
                        break;
                    case 5:
                        output.Write(ReadBytes(4));
                        break;
                    default:
                        throw Malformed($"field {field} has wire type {wireType}, which ONNX does not use");
                }
            }

            if (file.Position != end)
            {
                throw Malformed("a field runs past the end of its message");
            }

            if (rawOffset >= 0)
            {
                if (!external && rawLength >= MinimumBytes)
                {
                    Entry(output, "location", _location);
                    Entry(output, "offset", rawOffset.ToString(CultureInfo.InvariantCulture));
                    Entry(output, "length", rawLength.ToString(CultureInfo.InvariantCulture));
                    WriteVarint(output, (TensorDataLocation << 3) | 0);
                    WriteVarint(output, 1);
                }
                else
                {
                    var resume = file.Position;
                    file.Position = rawOffset;
                    WriteField(output, (TensorRawData << 3) | 2, ReadBytes(rawLength));
                    file.Position = resume;
                }
            }

            return output.ToArray();
        }

        private long Length(long end)
        {
            var length = Varint();
            if (length > (ulong)(end - file.Position))
            {
                throw Malformed($"a field of {length} bytes at offset {file.Position} runs past the end of its message");
            }

            return (long)length;
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = file.ReadByte();
                if (b < 0)
                {
                    throw Malformed("it ends inside a field");
                }

                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw Malformed($"a varint at offset {file.Position} is longer than 10 bytes");
        }

        private byte[] ReadBytes(long count)
        {
            var bytes = new byte[count];
            try
            {
                file.ReadExactly(bytes);
            }
            catch (EndOfStreamException e)
            {
                throw new OnnxModelException($"'{path}' is not an ONNX model: it ends inside a field.", e);
            }

            return bytes;
        }

        private OnnxModelException Malformed(string what) => new($"'{path}' is not an ONNX model: {what}.");

        private static void Entry(MemoryStream output, string key, string value) =>
            WriteField(output, (TensorExternalData << 3) | 2, new StringStringEntryProto { Key = key, Value = value }.ToByteArray());

        private static void WriteField(MemoryStream output, ulong tag, byte[] payload)
        {
            WriteVarint(output, tag);
            WriteVarint(output, (ulong)payload.Length);
            output.Write(payload);
        }

        private static void WriteVarint(MemoryStream output, ulong value)
        {
            while (value >= 0x80)
            {
                output.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            output.WriteByte((byte)value);
        }
    }
}
