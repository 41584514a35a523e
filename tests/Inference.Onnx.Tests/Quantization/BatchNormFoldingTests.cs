using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;
using Inference.Onnx.Quantization;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Onnx.Tests.Quantization;

public sealed class BatchNormFoldingTests
{
    private const int Channels = 4;

    [Fact]
    public void Fold_ConvWithoutBiasThenBatchNorm_RemovesTheNodeAndKeepsTheOutput()
    {
        var model = ConvBatchNorm(opset: 8, convBias: false);
        var input = Enumerable.Range(0, 2 * 6 * 6).Select(i => MathF.Sin(i * 0.37f) * 3).ToArray();
        var before = Run(model, input);

        var folded = model.Clone();
        var count = BatchNormFolding.Fold(folded, ".");

        Assert.Equal(1, count);
        Assert.DoesNotContain(folded.Graph.Node, n => n.OpType == "BatchNormalization");
        var conv = Assert.Single(folded.Graph.Node);
        Assert.Equal("y", conv.Output[0]);
        Assert.Equal(3, conv.Input.Count);
        Assert.DoesNotContain(folded.Graph.Initializer, t => t.Name.StartsWith("bn.", StringComparison.Ordinal));
        var after = Run(folded, input);
        Assert.Equal(before.Length, after.Length);
        for (var i = 0; i < before.Length; i++)
        {
            Assert.True(MathF.Abs(before[i] - after[i]) <= 1e-4f * (1 + MathF.Abs(before[i])), $"[{i}] {before[i]} vs {after[i]}");
        }
    }

    [Fact]
    public void Fold_ConvOutputAlsoUsedElsewhere_LeavesTheGraphAlone()
    {
        var model = ConvBatchNorm(opset: 13, convBias: true);
        model.Graph.Output.Add(ValueInfos.FloatTensor("conv", ValueInfos.Fixed(1), ValueInfos.Fixed(Channels), ValueInfos.Fixed(6), ValueInfos.Fixed(6)));

        Assert.Equal(0, BatchNormFolding.Fold(model, "."));
        Assert.Contains(model.Graph.Node, n => n.OpType == "BatchNormalization");
    }

    [Fact]
    public void EnsureAtLeast_SplitWithSizesAttribute_MovesThemToAnInputAndOrtRunsIt()
    {
        var model = new ModelProto { IrVersion = 3, OpsetImport = { new OperatorSetIdProto { Version = 8 } } };
        model.Graph = new GraphProto { Name = "split" };
        model.Graph.Input.Add(ValueInfos.FloatTensor("x", ValueInfos.Fixed(1), ValueInfos.Fixed(3), ValueInfos.Fixed(2), ValueInfos.Fixed(2)));
        model.Graph.Output.Add(ValueInfos.FloatTensor("r", ValueInfos.Fixed(1), ValueInfos.Fixed(1), ValueInfos.Fixed(2), ValueInfos.Fixed(2)));
        model.Graph.Output.Add(ValueInfos.FloatTensor("gb", ValueInfos.Fixed(1), ValueInfos.Fixed(2), ValueInfos.Fixed(2), ValueInfos.Fixed(2)));
        model.Graph.Node.Add(new NodeProto
        {
            Name = "split", OpType = "Split", Input = { "x" }, Output = { "r", "gb" },
            Attribute = { OnnxAttributes.Int("axis", 1), OnnxAttributes.Ints("split", 1, 2) },
        });

        OpsetUpgrade.EnsureAtLeast(model, 13);

        var split = Assert.Single(model.Graph.Node);
        Assert.DoesNotContain(split.Attribute, a => a.Name == "split");
        Assert.Equal([1L, 2L], model.Graph.Initializer.Single(t => t.Name == split.Input[1]).Int64Data);
        using var session = new InferenceSession(model.ToByteArray());
        using var x = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), [1, 3, 2, 2]);
        using var outputs = session.Run(new RunOptions(), ["x"], [x], ["r", "gb"]);
        Assert.Equal([0f, 1, 2, 3], outputs[0].GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal(8, outputs[1].GetTensorDataAsSpan<float>().Length);
    }

    /// <summary>x [1,2,6,6] -> Conv 3x3 pad 1 (4 channels) -> BatchNormalization -> y.</summary>
    private static ModelProto ConvBatchNorm(long opset, bool convBias)
    {
        var model = new ModelProto { IrVersion = opset >= 13 ? 7 : 3, OpsetImport = { new OperatorSetIdProto { Version = opset } } };
        var graph = model.Graph = new GraphProto { Name = "conv-bn" };
        graph.Input.Add(ValueInfos.FloatTensor("x", ValueInfos.Fixed(1), ValueInfos.Fixed(2), ValueInfos.Fixed(6), ValueInfos.Fixed(6)));
        graph.Output.Add(ValueInfos.FloatTensor("y", ValueInfos.Fixed(1), ValueInfos.Fixed(Channels), ValueInfos.Fixed(6), ValueInfos.Fixed(6)));
        graph.Initializer.Add(OnnxTensors.CreateFloat("w", [Channels, 2, 3, 3], [.. Enumerable.Range(0, Channels * 18).Select(i => MathF.Cos(i * 0.7f))]));
        var conv = new NodeProto
        {
            Name = "conv", OpType = "Conv", Input = { "x", "w" }, Output = { "conv" },
            Attribute = { OnnxAttributes.Ints("kernel_shape", 3, 3), OnnxAttributes.Ints("pads", 1, 1, 1, 1) },
        };
        if (convBias)
        {
            graph.Initializer.Add(OnnxTensors.CreateFloat("b", [Channels], [0.1f, -0.2f, 0.3f, -0.4f]));
            conv.Input.Add("b");
        }

        graph.Node.Add(conv);
        graph.Initializer.Add(OnnxTensors.CreateFloat("bn.scale", [Channels], [1.5f, 0.5f, -2f, 1f]));
        graph.Initializer.Add(OnnxTensors.CreateFloat("bn.bias", [Channels], [0.25f, -1f, 2f, 0f]));
        graph.Initializer.Add(OnnxTensors.CreateFloat("bn.mean", [Channels], [0.5f, -0.5f, 1f, 3f]));
        graph.Initializer.Add(OnnxTensors.CreateFloat("bn.var", [Channels], [4f, 0.25f, 1f, 9f]));
        graph.Node.Add(new NodeProto
        {
            Name = "bn", OpType = "BatchNormalization", Input = { "conv", "bn.scale", "bn.bias", "bn.mean", "bn.var" }, Output = { "y" },
            Attribute = { OnnxAttributes.Float("epsilon", 1e-3f) },
        });
        return model;
    }

    private static float[] Run(ModelProto model, float[] input)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var x = OrtValue.CreateTensorValueFromMemory(input, [1, 2, 6, 6]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, ["x"], [x], ["y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
