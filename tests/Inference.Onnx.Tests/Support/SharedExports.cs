using Inference.TestSupport;

namespace Inference.Onnx.Tests.Support;

/// <summary>
/// The graph-only torch exports of <c>../shared/models</c>, copied into a temp folder with their
/// external data file created as zeros of the size the README states.
/// </summary>
internal static class SharedExports
{
    public const string ResNet18Dynamic = "torch-resnet18-dynamic-batch";
    public const long ResNet18DataBytes = 46_723_488;
    public const string ResNet50Batch1 = "torch-resnet50-batch1";
    public const long ResNet50DataBytes = 102_031_776;

    /// <summary>The export's model.onnx in the shared (read-only) folder.</summary>
    public static string OriginalPath(string name) => System.IO.Path.Combine(SharedData.Models!, name, "model.onnx");

    /// <summary>Copies the export into <paramref name="directory"/> with a zero-filled <c>model.onnx.data</c>; returns the model path.</summary>
    public static string MaterializeInto(TempDirectory directory, string name, long dataBytes)
    {
        var model = directory.File("model.onnx");
        File.Copy(OriginalPath(name), model);
        using (var data = new FileStream(directory.File("model.onnx.data"), FileMode.CreateNew))
        {
            data.SetLength(dataBytes);
        }

        return model;
    }
}
