using Inference.Onnx.Protos;
using Inference.Onnx.Quantization;
using Inference.Onnx.ResNet;

namespace Inference.Onnx.Tests.Quantization;

public sealed class QdqPlanTests
{
    private static readonly ModelProto ResNet18 = ResNetBuilder.Build(new ResNetSpec(18));

    [Fact]
    public void Create_ResNet18_QuantizesReluOutputsInsteadOfTheirProducers()
    {
        var plan = QdqPlan.Create(ResNet18.Graph, [ResNetBuilder.EmbeddingTensorName]);

        Assert.Contains("/relu/Relu_output_0", plan.Activations);
        Assert.DoesNotContain("/conv1/Conv_output_0", plan.Activations);
        Assert.Contains("/layer1/layer1.0/relu_1/Relu_output_0", plan.Activations);
        Assert.DoesNotContain("/layer1/layer1.0/Add_output_0", plan.Activations);
        // The branch's last conv feeds the residual Add directly: its output is quantized.
        Assert.Contains("/layer1/layer1.0/conv2/Conv_output_0", plan.Activations);
        Assert.Contains("input", plan.Activations);
    }

    [Fact]
    public void Create_ResNet18_KeepsEmbeddingAndLogitsFloatAndTiesMaxPoolToItsInput()
    {
        var plan = QdqPlan.Create(ResNet18.Graph, [ResNetBuilder.EmbeddingTensorName]);

        Assert.DoesNotContain(ResNetBuilder.EmbeddingTensorName, plan.Activations);
        Assert.DoesNotContain("/avgpool/GlobalAveragePool_output_0", plan.Activations);
        Assert.DoesNotContain("logits", plan.Activations);
        Assert.Equal(20, plan.Weights.Count);
        Assert.DoesNotContain(plan.Weights, w => w.Weight == "fc.weight");
        Assert.Equal("/relu/Relu_output_0", plan.Tied["/maxpool/MaxPool_output_0"]);
        Assert.DoesNotContain("/maxpool/MaxPool_output_0", plan.Activations);
    }

    [Fact]
    public void Create_NothingKeptFloat_QuantizesTheClassifierPerOutputRow()
    {
        var plan = QdqPlan.Create(ResNet18.Graph, []);

        var classifier = Assert.Single(plan.Weights, w => w.Weight == "fc.weight");
        Assert.Equal(0, classifier.Axis);
        Assert.Equal("fc.bias", classifier.Bias);
        Assert.Contains(ResNetBuilder.EmbeddingTensorName, plan.Activations);
    }

    [Fact]
    public void Quantize_MissingRange_ThrowsNamingTheTensor()
    {
        var plan = QdqPlan.Create(ResNet18.Graph, [ResNetBuilder.EmbeddingTensorName]);

        var error = Assert.Throws<OnnxModelException>(() => QdqQuantizer.Quantize(ResNet18, plan, new Dictionary<string, TensorRange>(), "."));

        Assert.Contains("'input'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantize_ResNet18_LeavesTheSourceModelUnchangedAndRaisesNoOpset()
    {
        var model = ResNetBuilder.Build(new ResNetSpec(18));
        var before = model.Clone();
        var plan = QdqPlan.Create(model.Graph, [ResNetBuilder.EmbeddingTensorName]);
        var ranges = plan.Activations.ToDictionary(a => a, _ => new TensorRange(-1, 4));

        var quantized = QdqQuantizer.Quantize(model, plan, ranges, ".");

        Assert.Equal(before, model);
        Assert.Equal(17, quantized.OpsetImport.Single().Version);
        var pairs = plan.Activations.Count + plan.Tied.Count;
        Assert.Equal(pairs, quantized.Graph.Node.Count(n => n.OpType is "QuantizeLinear"));
        Assert.Equal(pairs + (2 * plan.Weights.Count), quantized.Graph.Node.Count(n => n.OpType is "DequantizeLinear"));
    }

    [Fact]
    public void Quantize_Opset8WithSoftmax_RefusesToRaiseTheOpset()
    {
        var model = ResNetBuilder.Build(new ResNetSpec(18));
        model.OpsetImport[0].Version = 8;
        model.Graph.Node.Add(new NodeProto { OpType = "Softmax", Input = { "logits" }, Output = { "probabilities" } });
        var plan = QdqPlan.Create(model.Graph, [ResNetBuilder.EmbeddingTensorName]);
        var ranges = plan.Activations.ToDictionary(a => a, _ => new TensorRange(-1, 4));

        var error = Assert.Throws<OnnxModelException>(() => QdqQuantizer.Quantize(model, plan, ranges, "."));

        Assert.Contains("Softmax", error.Message, StringComparison.Ordinal);
    }
}
