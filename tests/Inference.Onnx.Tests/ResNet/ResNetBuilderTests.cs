using System.Security.Cryptography;
using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Preparation;
using Inference.Onnx.ResNet;
using Inference.TestSupport;

namespace Inference.Onnx.Tests.ResNet;

public sealed class ResNetBuilderTests
{
    /// <summary>
    /// torchvision's published parameter counts (with BatchNorm). Folding BN into the convs turns each
    /// BN's weight and bias (2 per channel) into one conv bias, so built + conv-bias count = published.
    /// </summary>
    [Theory]
    [InlineData(18, 11_689_512, 20)]
    [InlineData(34, 21_797_672, 36)]
    [InlineData(50, 25_557_032, 53)]
    [InlineData(101, 44_549_160, 104)]
    [InlineData(152, 60_192_808, 155)]
    public void Build_EachDepth_MatchesTorchvisionParameterCountAndConvCount(int depth, long torchvisionParameters, int convs)
    {
        var model = ResNetBuilder.Build(new ResNetSpec(depth));

        var parameters = model.Graph.Initializer.Sum(t => OnnxTensors.ElementCount(t.Dims.ToArray()));
        var convBiases = model.Graph.Initializer
            .Where(t => t.Name.EndsWith(".bias", StringComparison.Ordinal) && t.Name != "fc.bias")
            .Sum(t => t.Dims[0]);
        Assert.Equal(torchvisionParameters, parameters + convBiases);
        Assert.Equal(convs, model.Graph.Node.Count(n => n.OpType == "Conv"));
        Assert.All(model.Graph.Initializer, t => Assert.Equal(t.Dims.Aggregate(4L, (a, b) => a * b), t.RawData.Length));
    }

    [Fact]
    public void Build_Default_HasTorchExportShape()
    {
        var model = ResNetBuilder.Build(new ResNetSpec(50));

        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, Assert.Single(model.OpsetImport).Version);
        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("input", input.Name);
        Assert.Equal("batch", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal([null, 3L, 224L, 224L], ValueInfos.Dimensions(input));
        Assert.Equal("logits", Assert.Single(model.Graph.Output).Name);
        Assert.Equal(["GlobalAveragePool", "Flatten", "Gemm"], model.Graph.Node.TakeLast(3).Select(n => n.OpType));
        var stem = model.Graph.Node[0];
        Assert.Equal(7, stem.Attribute.Single(a => a.Name == "kernel_shape").Ints[0]);
        Assert.Equal(2, stem.Attribute.Single(a => a.Name == "strides").Ints[0]);
        Assert.Equal(3, stem.Attribute.Single(a => a.Name == "pads").Ints[0]);
        // v1.5: the stride of a bottleneck's first block in stages 2-4 is on its 3x3 conv.
        var conv2 = model.Graph.Node.Single(n => n.Name == "/layer2/layer2.0/conv2/Conv");
        Assert.Equal(2, conv2.Attribute.Single(a => a.Name == "strides").Ints[0]);
        Assert.Equal(4, model.Graph.Node.Count(n => n.Name.EndsWith("/downsample/downsample.0/Conv", StringComparison.Ordinal)));
    }

    [Fact]
    public void Build_SameSeedTwice_GivesIdenticalBytes()
    {
        var first = ResNetBuilder.Build(new ResNetSpec(34) { Seed = 7 }).ToByteArray();
        var second = ResNetBuilder.Build(new ResNetSpec(34) { Seed = 7 }).ToByteArray();

        Assert.True(first.AsSpan().SequenceEqual(second));
    }

    /// <summary>
    /// The bytes are a function of the spec alone, on every machine: this digest was taken on the
    /// development machine. A deliberate change to the builder bumps <see cref="ResNetBuilder.WeightsVersion"/>
    /// and this digest together.
    /// </summary>
    [Fact]
    public void Build_ResNet18SeedZero_HasThePinnedDigest()
    {
        Assert.Equal("resnet-builder-v1", ResNetBuilder.WeightsVersion);
        var digest = Convert.ToHexStringLower(SHA256.HashData(ResNetBuilder.Build(new ResNetSpec(18)).ToByteArray()));

        Assert.Equal("e00235309aa699ed7e699d363fc7a9d2647b7e947d7c77c866b5dcdc8f5b475d", digest);
    }

    [Fact]
    public void Build_DifferentSeeds_GiveDifferentWeights()
    {
        var first = ResNetBuilder.Build(new ResNetSpec(18) { Seed = 1 });
        var second = ResNetBuilder.Build(new ResNetSpec(18) { Seed = 2 });

        Assert.False(first.Graph.Initializer[0].RawData.Span.SequenceEqual(second.Graph.Initializer[0].RawData.Span));
    }

    [Fact]
    public void Write_CachedModel_EqualsAFreshBuild()
    {
        var cached = File.ReadAllBytes(TestModels.GetResNet(18));

        Assert.True(cached.AsSpan().SequenceEqual(ResNetBuilder.Build(new ResNetSpec(18)).ToByteArray()));
    }

    [Fact]
    public void Build_FixedBatch_DeclaresIt()
    {
        var model = ResNetBuilder.Build(new ResNetSpec(18) { BatchSize = 1, NumClasses = 10 });

        Assert.Equal(1, model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue);
        Assert.Equal([1L, 10L], ValueInfos.Dimensions(model.Graph.Output[0]));
    }

    [Theory]
    [InlineData(19)]
    [InlineData(0)]
    public void Build_UnsupportedDepth_Throws(int depth)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ResNetBuilder.Build(new ResNetSpec(depth)));

        Assert.Contains("18, 34, 50, 101, 152", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SameInputAndOutputName_Throws() =>
        Assert.Throws<ArgumentException>(() => ResNetBuilder.Build(new ResNetSpec(18) { OutputName = "input" }));

    [Fact]
    public void Prepare_BuiltModel_ReportsEmbeddingAndClassifier()
    {
        var prepared = ModelPreparer.Prepare(TestModels.GetResNet(50));

        Assert.Equal(ResNetBuilder.EmbeddingTensorName, prepared.EmbeddingOutputName);
        Assert.Equal(2048, prepared.EmbeddingWidth);
        Assert.Equal("fc.weight", prepared.ClassifierWeightName);
        Assert.Equal("fc.bias", prepared.ClassifierBiasName);
        Assert.True(prepared.ClassifierWeightTransposed);
        Assert.Null(prepared.FixedBatchSize);
        Assert.False(prepared.HasExternalData);
        Assert.InRange(prepared.ReferencedWeights, 1, prepared.Model.Graph.Initializer.Count - 1);
        Assert.Equal(
            new Dictionary<string, string> { [PreparedModel.ExternalInitializersFolderConfigKey] = prepared.ModelDirectory },
            prepared.SessionConfigEntries);
        Assert.Equal(1000, prepared.LogitsWidth);
    }
}
