using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Preparation;
using Inference.Onnx.Protos;
using Inference.Onnx.Tests.Support;
using Inference.TestSupport;

namespace Inference.Onnx.Tests.Graph;

public sealed class WeightReferencesTests
{
    [Fact]
    public void Read_BuiltResNet_PointsLargeWeightsAtTheirOwnBytesInTheFile()
    {
        var path = TestModels.GetResNet(18);
        var full = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

        var read = WeightReferences.Read(path);

        Assert.Equal(full.Graph.Initializer.Count, read.Graph.Initializer.Count);
        var fileBytes = File.ReadAllBytes(path);
        var referenced = 0;
        foreach (var (original, tensor) in full.Graph.Initializer.Zip(read.Graph.Initializer))
        {
            Assert.Equal((original.Name, original.DataType), (tensor.Name, tensor.DataType));
            Assert.Equal(original.Dims, tensor.Dims);
            if (original.RawData.Length < WeightReferences.MinimumBytes)
            {
                Assert.Equal(original.RawData, tensor.RawData);
                continue;
            }

            referenced++;
            Assert.True(WeightReferences.PointsInto(tensor, path), $"{tensor.Name} ({original.RawData.Length} bytes) is not referenced");
            Assert.True(tensor.RawData.IsEmpty);
            var reference = ExternalDataReference.Parse(tensor);
            Assert.Equal("model.onnx", reference.Location);
            Assert.Equal(original.RawData.Length, reference.Length);
            Assert.True(
                fileBytes.AsSpan((int)reference.Offset, original.RawData.Length).SequenceEqual(original.RawData.Span),
                $"{tensor.Name}: the bytes at offset {reference.Offset} are not its weights");
        }

        Assert.InRange(referenced, 1, full.Graph.Initializer.Count - 1);
        Assert.Equal(full.Graph.Node, read.Graph.Node);
        Assert.Equal(full.Graph.Input, read.Graph.Input);
        Assert.Equal(full.Graph.Output, read.Graph.Output);
        Assert.Equal(full.OpsetImport, read.OpsetImport);
    }

    [Fact]
    public void Inline_ReadResNet_EqualsTheWholeFileParsedAndLeavesTheReadModelAsItWas()
    {
        var path = TestModels.GetResNet(18);
        var read = WeightReferences.Read(path);
        var before = read.Clone();

        var inlined = WeightReferences.Inline(read, path);

        Assert.Equal(ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)), inlined);
        Assert.Equal(before, read);
    }

    [Fact]
    public void Read_ModelWithExternalDataOfItsOwn_LeavesThatWhereItIsAndReferencesTheRest()
    {
        using var directory = new TempDirectory();
        var model = LargeWeightModel(out var large);
        var path = directory.File("model.onnx");
        TinyModels.MoveToExternalData(model, "fc.weight", path);
        TinyModels.Write(model, path);

        var read = WeightReferences.Read(path);

        var own = read.Graph.Initializer.Single(t => t.Name == "fc.weight");
        Assert.Equal(model.Graph.Initializer.Single(t => t.Name == "fc.weight"), own);
        Assert.Equal("weights.bin", ExternalDataReference.Parse(own).Location);
        Assert.True(WeightReferences.PointsInto(read.Graph.Initializer.Single(t => t.Name == large), path));
        var prepared = ModelPreparer.Prepare(path);
        Assert.True(prepared.HasExternalData);
        Assert.Equal(1, prepared.ReferencedWeights);

        // Under 64 KiB, the export's own tensor is read in, so that ORT keeps no mapping of its data file.
        var fcWeight = TinyModels.GemmClassifier().Graph.Initializer.Single(t => t.Name == "fc.weight");
        Assert.Equal(fcWeight, prepared.Model.Graph.Initializer.Single(t => t.Name == "fc.weight"));
        Assert.Equal([path], prepared.WeightFiles.Keys);
    }

    [Fact]
    public void ReadIn_ExportTensorWithoutALength_ReadsItsElementCountOfBytes()
    {
        using var directory = new TempDirectory();
        var model = TinyModels.GemmClassifier();
        var path = directory.File("model.onnx");
        TinyModels.MoveToExternalData(model, "fc.weight", path);
        var tensor = model.Graph.Initializer.Single(t => t.Name == "fc.weight");
        tensor.ExternalData.Remove(tensor.ExternalData.Single(e => e.Key == "length"));
        File.AppendAllText(directory.File("weights.bin"), "trailing bytes that are not the weight's");

        Assert.Equal(0, WeightReferences.ReadIn(model, path, belowBytes: 1));
        Assert.Equal(1, WeightReferences.ReadIn(model, path, belowBytes: WeightReferences.MinimumBytes));

        Assert.Equal(TinyModels.GemmClassifier().Graph.Initializer.Single(t => t.Name == "fc.weight"), tensor);
    }

    [Fact]
    public void Prepare_LargeTensorInTheExportsDataFile_StampsThatFileAndInlinesItOnlyWhileItIsUnchanged()
    {
        using var directory = new TempDirectory();
        var model = LargeWeightModel(out var large);
        var path = directory.File("model.onnx");
        TinyModels.MoveToExternalData(model, large, path);
        TinyModels.Write(model, path);
        var data = directory.File("weights.bin");

        var prepared = ModelPreparer.Prepare(path);

        Assert.Equal(0, prepared.ReferencedWeights);
        Assert.Equal([data], prepared.WeightFiles.Keys);
        Assert.Equal(20_000 * sizeof(float), prepared.ExternalWeightBytes);
        Assert.True(prepared.CanInline);
        Assert.Equal(prepared.ModelDirectory, prepared.SessionConfigEntries[PreparedModel.ExternalInitializersFolderConfigKey]);
        var inlined = ModelProto.Parser.ParseFrom(prepared.InlineModelBytes());
        Assert.Equal(LargeWeightModel(out _).Graph.Initializer.Single(t => t.Name == large), inlined.Graph.Initializer.Single(t => t.Name == large));

        File.WriteAllBytes(directory.File("incoming.bin"), new byte[new FileInfo(data).Length + 4]);
        File.Move(directory.File("incoming.bin"), data, overwrite: true);

        var error = Assert.Throws<OnnxModelException>(prepared.ThrowIfFilesChanged);
        Assert.Contains($"External data file '{data}' of model '{path}' changed while it was loading", error.Message, StringComparison.Ordinal);
        Assert.Throws<OnnxModelException>(() => prepared.InlineModelBytes());
    }

    [Fact]
    public void Prepare_ReferencedWeights_RunsExactlyAsTheInlinedModel()
    {
        var prepared = ModelPreparer.Prepare(TestModels.GetResNet(18));
        Assert.True(prepared.ReferencedWeights > 0);
        var fileLength = new FileInfo(prepared.ModelPath).Length;
        Assert.True(prepared.ModelBytes.Length < fileLength / 100, $"the prepared bytes hold the weights: {prepared.ModelBytes.Length} of {fileLength}");
        var input = TinyModels.Sequence(2 * 3 * 224 * 224, -1f).Select(v => v % 2f).ToArray();
        string[] outputs = [prepared.LogitsOutputName!, prepared.EmbeddingOutputName!];

        using var referenced = OrtRunner.CreateSession(prepared);
        using var inlined = OrtRunner.CreateSession(prepared, inline: true);
        var fromReferences = OrtRunner.Run(referenced, prepared.InputName, input, [2, 3, 224, 224], outputs);
        var fromInline = OrtRunner.Run(inlined, prepared.InputName, input, [2, 3, 224, 224], outputs);

        foreach (var output in outputs)
        {
            Assert.Equal(fromInline[output].Values, fromReferences[output].Values);
        }

        Assert.True(prepared.InlineModelBytes().Length > fileLength * 0.99);
    }

    [Fact]
    public void ThrowIfFilesChanged_FileReplacedAfterPrepare_RefusesToInlineFromIt()
    {
        using var directory = new TempDirectory();
        var path = TinyModels.Write(LargeWeightModel(out _), directory.File("model.onnx"));
        var prepared = ModelPreparer.Prepare(path);
        Assert.Equal(1, prepared.ReferencedWeights);
        prepared.ThrowIfFilesChanged();
        Assert.Equal(ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Initializer, ModelProto.Parser.ParseFrom(prepared.InlineModelBytes()).Graph.Initializer);

        var replacement = LargeWeightModel(out _);
        replacement.Graph.Initializer.Insert(0, OnnxTensors.CreateFloat("extra", [4], [1f, 2f, 3f, 4f]));
        TinyModels.Write(replacement, directory.File("incoming.onnx"));
        File.Move(directory.File("incoming.onnx"), path, overwrite: true);

        var error = Assert.Throws<OnnxModelException>(prepared.ThrowIfFilesChanged);
        Assert.Contains($"Model '{path}' changed while it was loading", error.Message, StringComparison.Ordinal);
        Assert.Throws<OnnxModelException>(() => prepared.InlineModelBytes());
    }

    [Fact]
    public void Read_FileCutInsideAWeight_SaysItIsNotAnOnnxModel()
    {
        using var directory = new TempDirectory();
        var bytes = File.ReadAllBytes(TestModels.GetResNet(18));
        var path = directory.File("model.onnx");
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        var error = Assert.Throws<OnnxModelException>(() => WeightReferences.Read(path));

        Assert.Contains("is not an ONNX model", error.Message, StringComparison.Ordinal);
        Assert.Contains("runs past the end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DamagedFiles_FailOnlyWithOnnxModelException()
    {
        using var directory = new TempDirectory();
        var original = LargeWeightModel(out _).ToByteArray();
        var random = new Random(7);
        var outcomes = new HashSet<string>();
        for (var i = 0; i < 300; i++)
        {
            var damaged = (byte[])original.Clone();
            var at = random.Next(Math.Min(damaged.Length, 600));
            damaged[at] = (byte)random.Next(256);
            var path = directory.File($"damaged{i}.onnx");
            File.WriteAllBytes(path, i % 3 == 0 ? damaged.AsSpan(0, random.Next(damaged.Length)).ToArray() : damaged);
            try
            {
                WeightReferences.Read(path);
                outcomes.Add("read");
            }
            catch (OnnxModelException e)
            {
                Assert.Contains("is not an ONNX model", e.Message, StringComparison.Ordinal);
                outcomes.Add("refused");
            }
        }

        Assert.Equal(new[] { "read", "refused" }, outcomes.Order());
    }

    /// <summary>The Gemm classifier with one more initializer of 80 KB (unused by its nodes), whose name is returned.</summary>
    private static ModelProto LargeWeightModel(out string name)
    {
        var model = TinyModels.GemmClassifier();
        name = "unused.large";
        model.Graph.Initializer.Add(OnnxTensors.CreateFloat(name, [20_000], TinyModels.Sequence(20_000, 0f)));
        return model;
    }
}
