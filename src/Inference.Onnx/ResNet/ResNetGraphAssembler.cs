using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.ResNet;

/// <summary>
/// Appends nodes in torch.onnx.export's naming style (<c>/layer1/layer1.0/conv1/Conv</c>, outputs
/// <c>..._output_0</c>, initializers <c>layer1.0.conv1.weight</c>) and records the initializers to generate.
/// </summary>
internal sealed class ResNetGraphAssembler(GraphProto graph)
{
    /// <summary>Folded-BatchNorm conv biases are uniform in ±this.</summary>
    private const float ConvBiasBound = 0.05f;

    private readonly List<WeightSpec> _weights = [];

    public IReadOnlyList<WeightSpec> Weights => _weights;

    /// <summary>A convolution with bias (BatchNorm folded in), He-uniform weights times <paramref name="gain"/>.</summary>
    public string Conv(string scope, string parameterPrefix, string input, int inChannels, int outChannels, int kernel, int stride, double gain = 1)
    {
        var weight = parameterPrefix + ".weight";
        var bias = parameterPrefix + ".bias";
        var fanIn = inChannels * kernel * kernel;
        _weights.Add(new WeightSpec(weight, [outChannels, inChannels, kernel, kernel], (float)(gain * Math.Sqrt(6.0 / fanIn))));
        _weights.Add(new WeightSpec(bias, [outChannels], ConvBiasBound));
        var pad = kernel / 2;
        return AddNode(
            scope + "/Conv",
            "Conv",
            [input, weight, bias],
            OnnxAttributes.Ints("dilations", 1, 1),
            OnnxAttributes.Int("group", 1),
            OnnxAttributes.Ints("kernel_shape", kernel, kernel),
            OnnxAttributes.Ints("pads", pad, pad, pad, pad),
            OnnxAttributes.Ints("strides", stride, stride));
    }

    public string Relu(string scope, string input) => AddNode(scope + "/Relu", "Relu", [input]);

    public string Add(string scope, string left, string right) => AddNode(scope + "/Add", "Add", [left, right]);

    public string MaxPool(string scope, string input) => AddNode(
        scope + "/MaxPool",
        "MaxPool",
        [input],
        OnnxAttributes.Int("ceil_mode", 0),
        OnnxAttributes.Ints("kernel_shape", 3, 3),
        OnnxAttributes.Ints("pads", 1, 1, 1, 1),
        OnnxAttributes.Ints("strides", 2, 2));

    public string GlobalAveragePool(string scope, string input) =>
        AddNode(scope + "/GlobalAveragePool", "GlobalAveragePool", [input]);

    public string Flatten(string input) => AddNode("/Flatten", "Flatten", [input], OnnxAttributes.Int("axis", 1));

    /// <summary>The classifier <c>fc</c>: Gemm with transB = 1, weights and bias uniform in ±1/sqrt(width) as torch's Linear.</summary>
    public void Classifier(string input, int width, int classes, string output)
    {
        var bound = (float)(1 / Math.Sqrt(width));
        _weights.Add(new WeightSpec("fc.weight", [classes, width], bound));
        _weights.Add(new WeightSpec("fc.bias", [classes], bound));
        var node = NewNode(
            "/fc/Gemm",
            "Gemm",
            [input, "fc.weight", "fc.bias"],
            OnnxAttributes.Float("alpha", 1),
            OnnxAttributes.Float("beta", 1),
            OnnxAttributes.Int("transB", 1));
        node.Output.Add(output);
        graph.Node.Add(node);
    }

    private string AddNode(string name, string opType, string[] inputs, params AttributeProto[] attributes)
    {
        var node = NewNode(name, opType, inputs, attributes);
        var output = name + "_output_0";
        node.Output.Add(output);
        graph.Node.Add(node);
        return output;
    }

    private static NodeProto NewNode(string name, string opType, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { Name = name, OpType = opType };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes);
        return node;
    }
}
