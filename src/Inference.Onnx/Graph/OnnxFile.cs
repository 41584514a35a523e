using Google.Protobuf;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Graph;

/// <summary>Writing a model file that a reader (a polling server, another process) never sees half-written.</summary>
public static class OnnxFile
{
    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically: a temporary file beside it, then a rename.</summary>
    public static void Write(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var temporary = fullPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                model.WriteTo(stream);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
