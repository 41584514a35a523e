using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Preparation;
using Inference.Onnx.Protos;
using Inference.Onnx.Tests.Support;

namespace Inference.Onnx.Tests.Preparation;

public sealed class ModelPreparerTests
{
    [Fact]
    public void Prepare_GemmHead_AddsFlattenOutputWithBatchAndWidth()
    {
        using var directory = new TempDirectory();
        var path = TinyModels.Write(TinyModels.GemmClassifier(), directory.File("model.onnx"));

        var prepared = ModelPreparer.Prepare(path);

        Assert.Equal("features", prepared.EmbeddingOutputName);
        Assert.Equal(3, prepared.EmbeddingWidth);
        Assert.Equal(["logits", "features"], prepared.Model.Graph.Output.Select(o => o.Name));
        var added = ModelProto.Parser.ParseFrom(prepared.ModelBytes).Graph.Output[1];
        Assert.Equal(ElementType.Float, added.Type.TensorType.ElemType);
        Assert.Equal("n", added.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(3, added.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal(("fc.weight", "fc.bias", true), (prepared.ClassifierWeightName, prepared.ClassifierBiasName, prepared.ClassifierWeightTransposed));
        Assert.Equal(5, prepared.LogitsWidth);
        Assert.Equal(directory.Path, prepared.ModelDirectory);
    }

    [Fact]
    public void Prepare_ReduceMeanMatMulAddHead_FindsWeightAndBias()
    {
        using var directory = new TempDirectory();
        var path = TinyModels.Write(TinyModels.MatMulClassifier(), directory.File("model.onnx"));

        var prepared = ModelPreparer.Prepare(path);

        Assert.Equal("features", prepared.EmbeddingOutputName);
        Assert.Equal(3, prepared.EmbeddingWidth);
        Assert.Equal(("head.w", "head.b", false), (prepared.ClassifierWeightName, prepared.ClassifierBiasName, prepared.ClassifierWeightTransposed));
    }

    [Fact]
    public void Prepare_OverrideNamingAGraphOutput_DoesNotAddItTwice()
    {
        using var directory = new TempDirectory();
        var path = TinyModels.Write(TinyModels.GemmClassifier(), directory.File("model.onnx"));

        var prepared = ModelPreparer.Prepare(path, embeddingTensorName: "logits");

        Assert.Equal("logits", prepared.EmbeddingOutputName);
        Assert.Single(prepared.Model.Graph.Output);
        Assert.Equal(File.ReadAllBytes(path), prepared.ModelBytes);
        Assert.Equal(5, prepared.EmbeddingWidth);
        Assert.Null(prepared.ClassifierWeightName);
    }

    [Fact]
    public void Prepare_OverrideOfAnotherRank_AddsOutputWithoutShapeAndRuns()
    {
        using var directory = new TempDirectory();
        var path = TinyModels.Write(TinyModels.GemmClassifier(), directory.File("model.onnx"));

        var prepared = ModelPreparer.Prepare(path, embeddingTensorName: "pooled");
        using var session = OrtRunner.CreateSession(prepared);
        var outputs = OrtRunner.Run(session, "input", OrtRunner.RandomImages(2, 4, 1), [2, 3, 4, 4], "pooled");

        Assert.Equal("pooled", prepared.EmbeddingOutputName);
        Assert.Null(prepared.EmbeddingWidth);
        Assert.Equal([2L, 3L, 1L, 1L], outputs["pooled"].Shape);
    }

    [Fact]
    public void Prepare_WrongOverrideName_ThrowsNamingIt()
    {
        using var directory = new TempDirectory();
        var path = TinyModels.Write(TinyModels.GemmClassifier(), directory.File("model.onnx"));

        var error = Assert.Throws<OnnxModelException>(() => ModelPreparer.Prepare(path, embeddingTensorName: "no_such_tensor"));

        Assert.Contains("'no_such_tensor'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_GraphWithoutPooledClassifier_LeavesEmbeddingUnset()
    {
        using var directory = new TempDirectory();
        var model = TinyModels.GemmClassifier();
        model.Graph.Node[0].OpType = "GlobalMaxPool";
        var path = TinyModels.Write(model, directory.File("model.onnx"));

        var prepared = ModelPreparer.Prepare(path);

        Assert.Null(prepared.EmbeddingOutputName);
        Assert.Null(prepared.EmbeddingWidth);
        Assert.Single(prepared.Model.Graph.Output);
    }

    [Fact]
    public void Prepare_SmallExternalWeight_ReadsItInAndNeedsNeitherTheFileNorTheFolderAfterwards()
    {
        using var directory = new TempDirectory();
        var model = TinyModels.GemmClassifier();
        var path = directory.File("model.onnx");
        TinyModels.MoveToExternalData(model, "fc.weight", path);
        TinyModels.Write(model, path);

        var prepared = ModelPreparer.Prepare(path);
        File.Delete(directory.File("weights.bin"));
        using var session = OrtRunner.CreateSession(prepared);
        var outputs = OrtRunner.Run(session, "input", OrtRunner.RandomImages(1, 4, 2), [1, 3, 4, 4], "logits");

        Assert.True(prepared.HasExternalData);
        Assert.Empty(prepared.WeightFiles);
        Assert.DoesNotContain(PreparedModel.ExternalInitializersFolderConfigKey, prepared.SessionConfigEntries.Keys);
        Assert.Equal(TinyModels.Sequence(15, 0.1f), OnnxTensors.ReadFloats(prepared.Model, "fc.weight", prepared.ModelDirectory));
        Assert.Equal([1L, 5L], outputs["logits"].Shape);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Prepare_RandomBytes_ThrowsOnnxModelException(int seed)
    {
        using var directory = new TempDirectory();
        var bytes = new byte[1000 * seed];
        new Random(seed).NextBytes(bytes);
        var path = directory.File("garbage.onnx");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<OnnxModelException>(() => ModelPreparer.Prepare(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("name,value\nthis is a csv file\n")]
    public void Prepare_NotAModel_ThrowsNamingNoGraph(string content)
    {
        using var directory = new TempDirectory();
        var path = directory.File("model.onnx");
        File.WriteAllText(path, content);

        var error = Assert.Throws<OnnxModelException>(() => ModelPreparer.Prepare(path));

        Assert.Contains("not an ONNX model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_MissingFile_Throws()
    {
        var error = Assert.Throws<OnnxModelException>(() => ModelPreparer.Prepare("/no/such/dir/model.onnx"));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_NoGraphInputs_Throws()
    {
        var error = PrepareEdited(m => m.Graph.Input.Clear());

        Assert.Contains("no graph inputs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_TwoInputs_ThrowsListingThem()
    {
        var error = PrepareEdited(m => m.Graph.Input.Add(ValueInfos.FloatTensor("mask", ValueInfos.Fixed(1))));

        Assert.Contains("input, mask", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_IntegerInput_ThrowsNamingTheType()
    {
        var error = PrepareEdited(m => m.Graph.Input[0].Type.TensorType.ElemType = ElementType.Int64);

        Assert.Contains("element type 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_NotNchwInput_ThrowsShowingTheShape()
    {
        var error = PrepareEdited(m => m.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue = 4);

        Assert.Contains("[n, 4, 4, 4]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_InitializersListedAsInputs_IgnoresThem()
    {
        using var directory = new TempDirectory();
        var model = TinyModels.GemmClassifier();
        model.Graph.Input.Add(ValueInfos.FloatTensor("fc.weight", ValueInfos.Fixed(5), ValueInfos.Fixed(3)));
        var path = TinyModels.Write(model, directory.File("model.onnx"));

        Assert.Equal("input", ModelPreparer.Prepare(path).InputName);
    }

    private static OnnxModelException PrepareEdited(Action<ModelProto> edit)
    {
        using var directory = new TempDirectory();
        var model = TinyModels.GemmClassifier();
        edit(model);
        var path = TinyModels.Write(model, directory.File("model.onnx"));
        return Assert.Throws<OnnxModelException>(() => ModelPreparer.Prepare(path));
    }
}
