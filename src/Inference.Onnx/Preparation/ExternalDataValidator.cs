using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Preparation;

/// <summary>
/// Checks, before ONNX Runtime does, that every externally stored initializer's file exists under the
/// model's folder and is long enough, so a missing or truncated data file gets a message that names it.
/// </summary>
internal static class ExternalDataValidator
{
    /// <summary>
    /// Returns true when the export has external data of its own (all of it present): weights that
    /// <see cref="WeightReferences"/> points at inside the model file itself are checked, not counted.
    /// </summary>
    public static bool Validate(GraphProto graph, string modelPath)
    {
        var modelDirectory = Path.GetDirectoryName(modelPath)!;
        var fileLengths = new Dictionary<string, long>();
        var any = false;
        foreach (var tensor in graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            any |= !WeightReferences.PointsInto(tensor, modelPath);
            var reference = ExternalDataReference.Parse(tensor);
            var path = reference.ResolvePath(modelDirectory);
            if (!fileLengths.TryGetValue(path, out var fileLength))
            {
                if (!File.Exists(path))
                {
                    throw new OnnxModelException(
                        $"External data file '{path}' (initializer '{tensor.Name}', location '{reference.Location}') does not exist.");
                }

                fileLength = new FileInfo(path).Length;
                fileLengths[path] = fileLength;
            }

            var end = reference.Offset + (reference.Length ?? 0);
            if (end > fileLength)
            {
                throw new OnnxModelException(
                    $"External data file '{path}' holds {fileLength} bytes, but initializer '{tensor.Name}' needs bytes up to {end}.");
            }
        }

        return any;
    }
}
