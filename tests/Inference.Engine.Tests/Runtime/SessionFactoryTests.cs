using System.IO.MemoryMappedFiles;
using Google.Protobuf;
using Inference.Engine.Configuration;
using Inference.Engine.Runtime;
using Inference.Engine.Tests.Support;
using Inference.Onnx.Graph;
using Inference.Onnx.Preparation;
using Inference.Onnx.Protos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Tests.Runtime;

/// <summary>
/// Sessions over weights referenced in the model file (<see cref="WeightReferences"/>) or kept in an export's own data
/// file: none may keep a file mapped, so that replacing it in place while it serves cannot crash the process. Each test uses its own copy of a model, so
/// that another test's session over the same file cannot be counted.
/// </summary>
public sealed class SessionFactoryTests
{
    private const int Side = 96;
    private static readonly float[] Weight = [0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f];
    private static readonly float[] Bias = [0.1f, -0.2f];

    [Fact]
    public void Create_ResNetWithReferencedWeights_LoadsOnceAndKeepsNoMappingOfTheFile()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mappings are read from /proc/self/maps (Linux)");
        using var directory = new TempDirectory("session-factory-");
        var path = directory.PathOf("model.onnx");
        File.Copy(SharedDemoWeights.ResNet18Path, path);
        var prepared = ModelPreparer.Prepare(path);
        var logger = new FakeLogger();

        var (session, provider) = Factory(logger).Create("resnet18", prepared);

        using (session)
        {
            Assert.Equal("CPU", provider);
            Assert.True(prepared.ReferencedWeights > 10, $"{prepared.ReferencedWeights} weights referenced");
            Assert.Equal(0, FileMappings.Count(path));
            Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 1014);
            var before = Logits(session, prepared.InputName, [1, 3, 224, 224], prepared.LogitsOutputName!);

            File.WriteAllBytes(path, []);

            Assert.Equal(before, Logits(session, prepared.InputName, [1, 3, 224, 224], prepared.LogitsOutputName!));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Create_WeightOrtKeepsMapped_LoadsAgainWithWeightsReadInAndServesAfterTheFileIsEmptied(bool inADataFile)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mappings are read from /proc/self/maps (Linux)");
        using var directory = new TempDirectory("session-factory-");
        var path = directory.PathOf("model.onnx");
        var model = OffsetClassifier();
        var weights = path;
        if (inADataFile)
        {
            // An export that keeps its large tensor in a data file of its own: the engine maps it where it lies.
            weights = directory.PathOf("weights.bin");
            MoveToDataFile(model, weights, minimumBytes: WeightReferences.MinimumBytes);
        }

        File.WriteAllBytes(path, model.ToByteArray());
        var prepared = ModelPreparer.Prepare(path);
        Assert.Equal(inADataFile ? 0 : 1, prepared.ReferencedWeights);
        Assert.Equal([weights], prepared.WeightFiles.Keys);
        using (var direct = new InferenceSession(prepared.ModelBytes, Options(prepared)))
        {
            // The premise: ORT adds the offset from the mapped file as it is, and keeps the mapping for the session's life.
            Assert.True(FileMappings.Count(weights) > 0, "ORT kept no mapping: this model no longer tests the fallback");
        }

        var logger = new FakeLogger();
        var (session, _) = Factory(logger).Create("offset", prepared);

        using (session)
        {
            Assert.Equal(0, FileMappings.Count(weights));
            var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1014);
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains(weights, warning.Message, StringComparison.Ordinal);

            File.WriteAllBytes(weights, []);

            AssertOffsetClassifierLogits(session, prepared.InputName);
        }
    }

    [Fact]
    public void Create_WeightOrtKeepsMappedInAModelTooLargeToReadIn_KeepsTheSessionAndSaysToReplaceFilesByRenaming()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mappings are read from /proc/self/maps (Linux)");
        using var directory = new TempDirectory("session-factory-");
        var path = directory.PathOf("model.onnx");
        File.WriteAllBytes(path, OffsetClassifier().ToByteArray());
        // As if its weights were 2 GiB: read in, the model would pass protobuf's limit on one message.
        var prepared = ModelPreparer.Prepare(path) with { ExternalWeightBytes = int.MaxValue };
        Assert.False(prepared.CanInline);
        var logger = new FakeLogger();

        var (session, _) = Factory(logger).Create("offset", prepared);

        using (session)
        {
            var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1015);
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains(path, warning.Message, StringComparison.Ordinal);
            Assert.Contains("renaming", warning.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 1014);
            Assert.True(FileMappings.Count(path) > 0, "the session was loaded again after all");
            AssertOffsetClassifierLogits(session, prepared.InputName);
        }
    }

    [Fact]
    public void Create_ExportWithEveryTensorInItsDataFile_KeepsNoMappingOfItAndServesAfterItIsEmptied()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mappings are read from /proc/self/maps (Linux)");
        using var directory = new TempDirectory("session-factory-");
        var path = directory.PathOf("model.onnx");
        var data = directory.PathOf("model.onnx.data");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(SharedDemoWeights.ResNet18Path));
        MoveToDataFile(model, data, minimumBytes: 0);
        File.WriteAllBytes(path, model.ToByteArray());
        using (var direct = new InferenceSession(path, new SessionOptions { IntraOpNumThreads = 1 }))
        {
            // The premise, as with a torch export: ORT alone keeps pages of the data file mapped for its small tensors.
            Assert.True(FileMappings.Count(data) > 0, "ORT kept no mapping of the export's data file: this test no longer tests anything");
        }

        var prepared = ModelPreparer.Prepare(path);
        var logger = new FakeLogger();
        var (session, _) = Factory(logger).Create("resnet18", prepared);

        using (session)
        {
            Assert.True(prepared.HasExternalData);
            Assert.Equal([data], prepared.WeightFiles.Keys);
            Assert.Equal(0, FileMappings.Count(data));
            Assert.Equal(0, FileMappings.Count(path));
            Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 1014);
            var before = Logits(session, prepared.InputName, [1, 3, 224, 224], prepared.LogitsOutputName!);
            Assert.Contains(before, v => v != 0f);

            File.WriteAllBytes(data, []);

            Assert.Equal(before, Logits(session, prepared.InputName, [1, 3, 224, 224], prepared.LogitsOutputName!));
        }
    }

    [Fact]
    public void Count_FileMappedThroughASymbolicLink_CountsItUntilUnmapped()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mappings are read from /proc/self/maps (Linux)");
        using var directory = new TempDirectory("session-factory-");
        var path = directory.PathOf("weights.bin");
        File.WriteAllBytes(path, new byte[3 * 4096]);
        var link = directory.PathOf("link.bin");
        File.CreateSymbolicLink(link, path);
        Assert.Equal(0, FileMappings.Count(link));

        using (var file = MemoryMappedFile.CreateFromFile(link, FileMode.Open, null, 0, MemoryMappedFileAccess.Read))
        using (var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read))
        {
            Assert.Equal(0, view.ReadByte(4096));
            Assert.Equal(1, FileMappings.Count(link));
            Assert.Equal(1, FileMappings.Count(path));
        }

        Assert.Equal(0, FileMappings.Count(path));
    }

    private static SessionFactory Factory(ILogger logger) =>
        new(new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu, IntraOpThreads = 1 }, logger);

    /// <summary>
    /// Moves the bytes of every initializer of at least <paramref name="minimumBytes"/> to the data file at
    /// <paramref name="dataPath"/>, back to back, as an exporter's external data.
    /// </summary>
    private static void MoveToDataFile(ModelProto model, string dataPath, int minimumBytes)
    {
        using var data = File.Create(dataPath);
        foreach (var tensor in model.Graph.Initializer.Where(t => !t.RawData.IsEmpty && t.RawData.Length >= minimumBytes))
        {
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = Path.GetFileName(dataPath) });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = data.Position.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            data.Write(tensor.RawData.Span);
            tensor.RawData = ByteString.Empty;
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
        }
    }

    private static SessionOptions Options(PreparedModel prepared)
    {
        var options = new SessionOptions { IntraOpNumThreads = 1 };
        foreach (var (key, value) in prepared.SessionConfigEntries)
        {
            options.AddSessionConfigEntry(key, value);
        }

        return options;
    }

    private static float[] Logits(InferenceSession session, string input, long[] shape, string output)
    {
        var image = new float[shape.Aggregate(1L, (a, b) => a * b)];
        using var value = OrtValue.CreateTensorValueFromMemory(image, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [input], [value], [output]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>
    /// input [n,3,96,96] → Add(offset [1,3,96,96], 108 KiB: referenced) → GlobalAveragePool → Flatten →
    /// Gemm(fc.weight [2,3], fc.bias [2], transB=1) → logits [n,2].
    /// </summary>
    private static ModelProto OffsetClassifier()
    {
        var graph = new GraphProto { Name = "offset" };
        graph.Input.Add(ValueInfos.FloatTensor("input", ValueInfos.Symbolic("n"), ValueInfos.Fixed(3), ValueInfos.Fixed(Side), ValueInfos.Fixed(Side)));
        graph.Output.Add(ValueInfos.FloatTensor("logits", ValueInfos.Symbolic("n"), ValueInfos.Fixed(2)));
        graph.Node.Add(Node("Add", ["input", "offset"], ["shifted"]));
        graph.Node.Add(Node("GlobalAveragePool", ["shifted"], ["pooled"]));
        graph.Node.Add(Node("Flatten", ["pooled"], ["features"], OnnxAttributes.Int("axis", 1)));
        graph.Node.Add(Node("Gemm", ["features", "fc.weight", "fc.bias"], ["logits"], OnnxAttributes.Int("transB", 1)));
        graph.Initializer.Add(OnnxTensors.CreateFloat("offset", [1, 3, Side, Side], OffsetValues()));
        graph.Initializer.Add(OnnxTensors.CreateFloat("fc.weight", [2, 3], Weight));
        graph.Initializer.Add(OnnxTensors.CreateFloat("fc.bias", [2], Bias));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });
        return model;
    }

    /// <summary>Channel c, pixel p: (c + 1) * (p % 7) / 7.</summary>
    private static float[] OffsetValues() =>
        [.. Enumerable.Range(0, 3 * Side * Side).Select(i => (i / (Side * Side) + 1) * (i % (Side * Side) % 7) / 7f)];

    /// <summary>Zero images: each channel's feature is the mean of its offset plane; logits = W · features + b.</summary>
    private static void AssertOffsetClassifierLogits(InferenceSession session, string input)
    {
        var expected = ExpectedLogits();
        var logits = Logits(session, input, [1, 3, Side, Side], "logits");
        Assert.Equal(expected.Length, logits.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], logits[i], 1e-4);
        }
    }

    private static float[] ExpectedLogits()
    {
        var values = OffsetValues();
        var features = Enumerable.Range(0, 3).Select(c => values.AsSpan(c * Side * Side, Side * Side).ToArray().Average()).ToArray();
        return [.. Enumerable.Range(0, 2).Select(k => Bias[k] + Enumerable.Range(0, 3).Sum(c => Weight[(k * 3) + c] * features[c]))];
    }

    private static NodeProto Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = outputs[0] + "/node" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }
}
