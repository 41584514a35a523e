using Google.Protobuf;
using Inference.Onnx.Preparation;
using Inference.Onnx.Protos;
using Inference.Onnx.ResNet;
using Inference.Onnx.Tests.Support;

namespace Inference.Onnx.Tests.ResNet;

/// <summary>
/// Each export variant of the same seeded ResNet-18, prepared as the engine prepares it, gives the plain NCHW RGB
/// model's logits or embedding on the equivalent tensor, within 1e-5 of the largest value.
/// </summary>
public sealed class ResNetVariantsTests : IDisposable
{
    private const int Size = 64;
    private const int Batch = 2;
    private static readonly double[] Mean = [0.485, 0.456, 0.406];
    private static readonly double[] Std = [0.229, 0.224, 0.225];
    private static readonly ResNetSpec Spec = new(18) { NumClasses = 10, InputSize = Size, Seed = 11 };

    private readonly TempDirectory _directory = new();
    private readonly byte[] _pixels;
    private readonly Dictionary<string, (float[] Values, long[] Shape)> _plain;

    public ResNetVariantsTests()
    {
        _pixels = new byte[Batch * Size * Size * 3];
        new Random(5).NextBytes(_pixels);
        var prepared = Prepare(ResNetBuilder.Build(Spec), "plain.onnx");
        using var session = OrtRunner.CreateSession(prepared);
        _plain = OrtRunner.Run(session, "input", TorchTensor(), [Batch, 3, Size, Size], "logits", ResNetBuilder.EmbeddingTensorName);
    }

    [Fact]
    public void KerasCaffe_NhwcBgrMinusCaffeMean_GivesPlainLogitsAndIsDetectedNhwc()
    {
        var prepared = Prepare(ResNetVariants.KerasCaffe(ResNetBuilder.Build(Spec)), "keras.onnx");
        using var session = OrtRunner.CreateSession(prepared);
        var input = new float[_pixels.Length];
        for (var i = 0; i < _pixels.Length; i++)
        {
            var bgr = 2 - (i % 3);
            input[(i / 3 * 3) + bgr] = _pixels[i] - ResNetVariants.CaffeMeanBgr[bgr];
        }

        var outputs = OrtRunner.Run(session, "input", input, [Batch, Size, Size, 3], "logits", ResNetBuilder.EmbeddingTensorName);

        Assert.True(prepared.InputChannelsLast);
        Assert.Equal(ResNetBuilder.EmbeddingTensorName, prepared.EmbeddingOutputName);
        AssertClose(_plain["logits"].Values, outputs["logits"].Values);
        AssertClose(_plain[ResNetBuilder.EmbeddingTensorName].Values, outputs[ResNetBuilder.EmbeddingTensorName].Values);
    }

    [Theory]
    [InlineData(false, "/Flatten_output_0")]
    [InlineData(true, "/avgpool/GlobalAveragePool_output_0/flattened")]
    public void FeatureOnly_Rank2AndRank4_ServeThePlainEmbeddingFlatWithNoLogits(bool rank4, string embedding)
    {
        var prepared = Prepare(ResNetVariants.FeatureOnly(ResNetBuilder.Build(Spec), rank4), "features.onnx");
        using var session = OrtRunner.CreateSession(prepared);

        var outputs = OrtRunner.Run(session, "input", TorchTensor(), [Batch, 3, Size, Size], embedding);

        Assert.Null(prepared.LogitsOutputName);
        Assert.Equal(embedding, prepared.EmbeddingOutputName);
        Assert.Equal(512, prepared.EmbeddingWidth);
        Assert.Equal([Batch, 512L], outputs[embedding].Shape);
        AssertClose(_plain[ResNetBuilder.EmbeddingTensorName].Values, outputs[embedding].Values);
    }

    [Fact]
    public void ReshapeMatMulAdd_Head_FindsEmbeddingAndGivesPlainLogits()
    {
        var prepared = Prepare(ResNetVariants.ReshapeMatMulAdd(ResNetBuilder.Build(Spec)), "matmul.onnx");
        using var session = OrtRunner.CreateSession(prepared);

        var outputs = OrtRunner.Run(session, "input", TorchTensor(), [Batch, 3, Size, Size], "logits", ResNetBuilder.EmbeddingTensorName);

        Assert.Equal(ResNetBuilder.EmbeddingTensorName, prepared.EmbeddingOutputName);
        Assert.Equal(("head.weight", false), (prepared.ClassifierWeightName, prepared.ClassifierWeightTransposed));
        Assert.Equal(512, prepared.EmbeddingWidth);
        AssertClose(_plain["logits"].Values, outputs["logits"].Values);
        AssertClose(_plain[ResNetBuilder.EmbeddingTensorName].Values, outputs[ResNetBuilder.EmbeddingTensorName].Values);
    }

    [Fact]
    public void FixedBatchOne_GivesPlainLogitsPerImage()
    {
        var prepared = Prepare(ResNetBuilder.Build(Spec with { BatchSize = 1 }), "batch1.onnx");
        using var session = OrtRunner.CreateSession(prepared);
        var tensor = TorchTensor();
        var perImage = 3 * Size * Size;

        for (var image = 0; image < Batch; image++)
        {
            var outputs = OrtRunner.Run(session, "input", tensor[(image * perImage)..((image + 1) * perImage)], [1, 3, Size, Size], "logits");
            AssertClose(_plain["logits"].Values[(image * 10)..((image + 1) * 10)], outputs["logits"].Values);
        }

        Assert.Equal(1, prepared.FixedBatchSize);
    }

    [Fact]
    public void UnfusedBatchNormOpset8_GivesPlainLogits()
    {
        var variant = ResNetVariants.UnfusedBatchNorm(ResNetBuilder.Build(Spec), 3);
        var prepared = Prepare(variant, "opset8.onnx");
        using var session = OrtRunner.CreateSession(prepared);

        var outputs = OrtRunner.Run(session, "input", TorchTensor(), [Batch, 3, Size, Size], "logits", ResNetBuilder.EmbeddingTensorName);

        Assert.Equal((3L, 8L), (variant.IrVersion, variant.OpsetImport.Single().Version));
        Assert.Equal(20, variant.Graph.Node.Count(n => n.OpType == "BatchNormalization"));
        AssertClose(_plain["logits"].Values, outputs["logits"].Values);
        AssertClose(_plain[ResNetBuilder.EmbeddingTensorName].Values, outputs[ResNetBuilder.EmbeddingTensorName].Values);
    }

    public void Dispose() => _directory.Dispose();

    private PreparedModel Prepare(ModelProto model, string fileName)
    {
        var path = _directory.File(fileName);
        File.WriteAllBytes(path, model.ToByteArray());
        return ModelPreparer.Prepare(path);
    }

    /// <summary>The pixels as torchvision normalises them, NCHW RGB.</summary>
    private float[] TorchTensor()
    {
        const int plane = Size * Size;
        var tensor = new float[_pixels.Length];
        for (var i = 0; i < _pixels.Length; i++)
        {
            var (pixel, channel) = (i / 3, i % 3);
            var (image, offset) = (pixel / plane, pixel % plane);
            tensor[(image * 3 * plane) + (channel * plane) + offset] = (float)(((_pixels[i] / 255.0) - Mean[channel]) / Std[channel]);
        }

        return tensor;
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(MathF.Abs);
        var worst = expected.Zip(actual, (e, a) => MathF.Abs(e - a)).Max();
        Assert.True(scale > 0, "The plain model's values are all zero.");
        Assert.True(worst <= 1e-5f * scale, $"max |difference| {worst:G4} is over 1e-5 x max |expected| {scale:G4}.");
    }
}
