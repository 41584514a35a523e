using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Graph;

/// <summary>Where an externally stored tensor's bytes live: a file relative to the model, an offset and a length.</summary>
public sealed record ExternalDataReference(string Location, long Offset, long? Length)
{
    /// <summary>Reads the <c>external_data</c> entries of <paramref name="tensor"/>.</summary>
    /// <exception cref="OnnxModelException">The entries lack a location or hold a number that does not parse.</exception>
    public static ExternalDataReference Parse(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        string? location = null;
        long offset = 0;
        long? length = null;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location":
                    location = entry.Value;
                    break;
                case "offset":
                    offset = ParseNumber(tensor.Name, entry);
                    break;
                case "length":
                    length = ParseNumber(tensor.Name, entry);
                    break;
            }
        }

        if (string.IsNullOrEmpty(location))
        {
            throw new OnnxModelException($"Initializer '{tensor.Name}' is stored externally but names no 'location'.");
        }

        return new ExternalDataReference(location, offset, length);
    }

    /// <summary>The data file's full path: <see cref="Location"/> under <paramref name="modelDirectory"/>.</summary>
    public string ResolvePath(string modelDirectory) => Path.GetFullPath(Path.Combine(modelDirectory, Location));

    /// <summary>
    /// The <paramref name="byteCount"/> bytes at <see cref="Offset"/> of the data file open as <paramref name="file"/>
    /// (at <paramref name="path"/>), for initializer <paramref name="tensorName"/>.
    /// </summary>
    /// <exception cref="OnnxModelException">The file does not hold them.</exception>
    public byte[] ReadBytes(SafeFileHandle file, string path, long byteCount, string tensorName)
    {
        ArgumentNullException.ThrowIfNull(file);
        var fileLength = RandomAccess.GetLength(file);
        if (Offset + byteCount > fileLength)
        {
            throw new OnnxModelException(
                $"Initializer '{tensorName}' needs bytes {Offset}..{Offset + byteCount} of '{path}', which holds {fileLength}.");
        }

        var bytes = new byte[byteCount];
        var read = 0;
        while (read < bytes.Length)
        {
            read += RandomAccess.Read(file, bytes.AsSpan(read), Offset + read);
        }

        return bytes;
    }

    private static long ParseNumber(string tensorName, StringStringEntryProto entry)
    {
        if (long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new OnnxModelException(
            $"Initializer '{tensorName}' has external data {entry.Key} '{entry.Value}', which is not a non-negative integer.");
    }
}
