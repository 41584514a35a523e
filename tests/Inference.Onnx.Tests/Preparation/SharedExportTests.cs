using System.Runtime.Versioning;
using Inference.Onnx.Preparation;
using Inference.Onnx.Tests.Support;
using Inference.TestSupport;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Onnx.Tests.Preparation;

/// <summary>The real torch exports (graph only, zero-filled external data) load after preparation.</summary>
public sealed class SharedExportTests
{
    [Fact]
    public void Prepare_DynamicBatchExport_FindsEmbeddingAndRunsBatchOfThree()
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        using var directory = new TempDirectory();
        var path = SharedExports.MaterializeInto(directory, SharedExports.ResNet18Dynamic, SharedExports.ResNet18DataBytes);

        var prepared = ModelPreparer.Prepare(path);
        using var session = OrtRunner.CreateSession(prepared);
        var outputs = OrtRunner.Run(
            session, prepared.InputName, OrtRunner.RandomImages(3, 224, 1), [3, 3, 224, 224], prepared.LogitsOutputName!, prepared.EmbeddingOutputName!);

        Assert.Equal("input", prepared.InputName);
        Assert.Equal([null, 3L, 224L, 224L], prepared.InputDimensions);
        Assert.Null(prepared.FixedBatchSize);
        Assert.Equal("logits", prepared.LogitsOutputName!);
        Assert.Equal("/Flatten_output_0", prepared.EmbeddingOutputName);
        Assert.Equal(512, prepared.EmbeddingWidth);
        Assert.Equal("fc.weight", prepared.ClassifierWeightName);
        Assert.Equal("fc.bias", prepared.ClassifierBiasName);
        Assert.True(prepared.HasExternalData);
        Assert.Equal([3L, 1000L], outputs["logits"].Shape);
        Assert.Equal([3L, 512L], outputs["/Flatten_output_0"].Shape);
        Assert.All(outputs["logits"].Values, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Prepare_FixedBatchOneExport_ReportsFixedBatchAndRuns()
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        using var directory = new TempDirectory();
        var path = SharedExports.MaterializeInto(directory, SharedExports.ResNet50Batch1, SharedExports.ResNet50DataBytes);

        var prepared = ModelPreparer.Prepare(path);
        using var session = OrtRunner.CreateSession(prepared);
        var outputs = OrtRunner.Run(
            session, prepared.InputName, OrtRunner.RandomImages(1, 224, 2), [1, 3, 224, 224], prepared.LogitsOutputName!, prepared.EmbeddingOutputName!);

        Assert.Equal("pixel_values", prepared.InputName);
        Assert.Equal(1, prepared.FixedBatchSize);
        Assert.Equal(2048, prepared.EmbeddingWidth);
        Assert.Equal([1L, 2048L], outputs[prepared.EmbeddingOutputName!].Shape);
        Assert.Equal([1L, 1000L], outputs["logits"].Shape);
        var added = prepared.Model.Graph.Output.Single(o => o.Name == prepared.EmbeddingOutputName);
        Assert.Equal(1, added.Type.TensorType.Shape.Dim[0].DimValue);
    }

    /// <summary>
    /// How ORT 1.31 loads a model given as bytes whose initializers are in an external file: the
    /// session config entry <c>session.model_external_initializers_file_folder_path</c> names the folder.
    /// Shown here with the folder made read-only, and shown necessary: without the entry, loading fails.
    /// </summary>
    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void CreateSession_BytesWithExternalDataInReadOnlyFolder_NeedsTheFolderConfigEntry()
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Read-only folder permissions are set the Unix way.");
        using var directory = new TempDirectory();
        var path = SharedExports.MaterializeInto(directory, SharedExports.ResNet18Dynamic, SharedExports.ResNet18DataBytes);
        var prepared = ModelPreparer.Prepare(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead);
        File.SetUnixFileMode(directory.File("model.onnx.data"), UnixFileMode.UserRead);
        File.SetUnixFileMode(directory.Path, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        Assert.Equal(
            new Dictionary<string, string> { ["session.model_external_initializers_file_folder_path"] = directory.Path },
            prepared.SessionConfigEntries);
        using (var session = OrtRunner.CreateSession(prepared))
        {
            var outputs = OrtRunner.Run(session, "input", OrtRunner.RandomImages(1, 224, 3), [1, 3, 224, 224], "logits");
            Assert.Equal([1L, 1000L], outputs["logits"].Shape);
        }

        var error = Assert.Throws<OnnxRuntimeException>(() => OrtRunner.CreateSession(prepared, applyConfigEntries: false).Dispose());
        Assert.Contains("model.onnx.data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_ExportWithoutItsDataFile_ThrowsNamingTheFile()
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);

        var error = Assert.Throws<OnnxModelException>(() => ModelPreparer.Prepare(SharedExports.OriginalPath(SharedExports.ResNet18Dynamic)));

        Assert.Contains("model.onnx.data", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_ExportWithTruncatedDataFile_ThrowsNamingTheShortfall()
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        using var directory = new TempDirectory();
        var path = SharedExports.MaterializeInto(directory, SharedExports.ResNet18Dynamic, SharedExports.ResNet18DataBytes - 4);

        var error = Assert.Throws<OnnxModelException>(() => ModelPreparer.Prepare(path));

        Assert.Contains("holds 46723484 bytes", error.Message, StringComparison.Ordinal);
    }
}
