using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.ResNet;

/// <summary>
/// Rewrites a <see cref="ResNetBuilder"/> model the way other exporters write the same network, keeping its
/// weights, so each variant computes what the plain model computes on the equivalent input.
/// </summary>
public static class ResNetVariants
{
    /// <summary>Keras "caffe" mode: per-channel means subtracted from BGR 0-255 values (B, G, R).</summary>
    public static IReadOnlyList<float> CaffeMeanBgr { get; } = [103.939f, 116.779f, 123.68f];

    private static readonly double[] TorchMean = [0.485, 0.456, 0.406];
    private static readonly double[] TorchStd = [0.229, 0.224, 0.225];

    /// <summary>
    /// Keras / tf2onnx style: input [N, H, W, 3] in BGR, 0-255 minus <see cref="CaffeMeanBgr"/>. A Transpose to NCHW and a
    /// 1x1 convolution (channel swap and torchvision's normalisation) feed the original network.
    /// </summary>
    public static ModelProto KerasCaffe(ModelProto plain)
    {
        var model = plain.Clone();
        var graph = model.Graph;
        var input = graph.Input[0];
        var dims = input.Type.TensorType.Shape.Dim;
        var nhwc = ValueInfos.FloatTensor(input.Name, dims[0], dims[2], dims[3], dims[1]);
        graph.Input[0] = nhwc;
        const string Nchw = "/keras/nchw";
        const string Normalised = "/keras/normalised";
        Rename(graph, input.Name, Normalised);
        var weight = new float[9];
        var bias = new float[3];
        for (var c = 0; c < 3; c++)
        {
            // RGB channel c comes from BGR channel 2 - c: t = (in + caffeMean) / (255 std) - mean / std.
            weight[(c * 3) + (2 - c)] = (float)(1 / (255 * TorchStd[c]));
            bias[c] = (float)(((CaffeMeanBgr[2 - c] / 255.0) - TorchMean[c]) / TorchStd[c]);
        }

        graph.Initializer.Add(OnnxTensors.CreateFloat("keras.swap.weight", [3, 3, 1, 1], weight));
        graph.Initializer.Add(OnnxTensors.CreateFloat("keras.swap.bias", [3], bias));
        graph.Node.Insert(0, Node("Conv", [Nchw, "keras.swap.weight", "keras.swap.bias"], Normalised));
        graph.Node.Insert(0, Node("Transpose", [input.Name], Nchw, OnnxAttributes.Ints("perm", 0, 3, 1, 2)));
        return model;
    }

    /// <summary>No classifier: the output is the pooled features, [N, C] (after Flatten) or [N, C, 1, 1] (the pool's own output).</summary>
    public static ModelProto FeatureOnly(ModelProto plain, bool rank4)
    {
        var model = plain.Clone();
        var graph = model.Graph;
        var gemm = graph.Node.Single(n => n.OpType == "Gemm");
        var flatten = graph.Node.Single(n => n.OpType == "Flatten");
        var pool = graph.Node.Single(n => n.OpType == "GlobalAveragePool");
        var width = graph.Initializer.Single(t => t.Name == gemm.Input[1]).Dims[1];
        graph.Node.Remove(gemm);
        RemoveInitializers(graph, gemm.Input[1], gemm.Input[2]);
        var batch = graph.Output[0].Type.TensorType.Shape.Dim[0];
        graph.Output.Clear();
        if (rank4)
        {
            graph.Node.Remove(flatten);
            graph.Output.Add(ValueInfos.FloatTensor(pool.Output[0], batch, ValueInfos.Fixed(width), ValueInfos.Fixed(1), ValueInfos.Fixed(1)));
        }
        else
        {
            graph.Output.Add(ValueInfos.FloatTensor(flatten.Output[0], batch, ValueInfos.Fixed(width)));
        }

        return model;
    }

    /// <summary>The head as Reshape + MatMul + Add (weight stored [width, classes]) instead of Flatten + Gemm(transB).</summary>
    public static ModelProto ReshapeMatMulAdd(ModelProto plain)
    {
        var model = plain.Clone();
        var graph = model.Graph;
        var gemm = graph.Node.Single(n => n.OpType == "Gemm");
        var flatten = graph.Node.Single(n => n.OpType == "Flatten");
        var weight = graph.Initializer.Single(t => t.Name == gemm.Input[1]);
        var (classes, width) = ((int)weight.Dims[0], (int)weight.Dims[1]);
        var values = OnnxTensors.ReadFloats(weight, string.Empty);
        var transposed = new float[values.Length];
        for (var k = 0; k < classes; k++)
        {
            for (var j = 0; j < width; j++)
            {
                transposed[(j * classes) + k] = values[(k * width) + j];
            }
        }

        RemoveInitializers(graph, weight.Name);
        graph.Initializer.Add(OnnxTensors.CreateFloat("head.weight", [width, classes], transposed));
        graph.Initializer.Add(new TensorProto { Name = "head.shape", DataType = ElementType.Int64, Dims = { 2 }, Int64Data = { 0, width } });
        var reshape = Node("Reshape", [flatten.Input[0], "head.shape"], flatten.Output[0]);
        graph.Node[graph.Node.IndexOf(flatten)] = reshape;
        var index = graph.Node.IndexOf(gemm);
        graph.Node[index] = Node("MatMul", [flatten.Output[0], "head.weight"], "/head/MatMul_output_0");
        graph.Node.Insert(index + 1, Node("Add", ["/head/MatMul_output_0", gemm.Input[2]], gemm.Output[0]));
        return model;
    }

    /// <summary>
    /// Opset 8 / IR 3, as CNTK and early model-zoo exports: every Conv without bias followed by its own
    /// BatchNormalization (seeded scale and variance; the conv weight divided so that the pair equals the folded conv).
    /// </summary>
    public static ModelProto UnfusedBatchNorm(ModelProto plain, ulong seed)
    {
        const float Epsilon = 1e-5f;
        var model = plain.Clone();
        var graph = model.Graph;
        var random = new Random(unchecked((int)seed));
        foreach (var conv in graph.Node.Where(n => n.OpType == "Conv" && n.Input.Count == 3).ToList())
        {
            var weight = graph.Initializer.Single(t => t.Name == conv.Input[1]);
            var bias = conv.Input[2];
            var channels = (int)weight.Dims[0];
            var perChannel = (int)(OnnxTensors.ElementCount([.. weight.Dims]) / channels);
            var values = OnnxTensors.ReadFloats(weight, string.Empty);
            var scale = new float[channels];
            var variance = new float[channels];
            for (var c = 0; c < channels; c++)
            {
                scale[c] = 0.5f + random.NextSingle();
                variance[c] = 0.25f + random.NextSingle();
                var gain = scale[c] / Math.Sqrt(variance[c] + (double)Epsilon);
                for (var i = 0; i < perChannel; i++)
                {
                    values[(c * perChannel) + i] = (float)(values[(c * perChannel) + i] / gain);
                }
            }

            var prefix = conv.Input[1][..^".weight".Length];
            RemoveInitializers(graph, weight.Name);
            graph.Initializer.Add(OnnxTensors.CreateFloat(weight.Name, [.. weight.Dims], values));
            graph.Initializer.Add(OnnxTensors.CreateFloat(prefix + ".bn.scale", [channels], scale));
            graph.Initializer.Add(OnnxTensors.CreateFloat(prefix + ".bn.mean", [channels], new float[channels]));
            graph.Initializer.Add(OnnxTensors.CreateFloat(prefix + ".bn.var", [channels], variance));
            var convOutput = conv.Output[0];
            conv.Input.RemoveAt(2);
            conv.Output[0] = convOutput + "/unfused";
            var bn = Node("BatchNormalization", [conv.Output[0], prefix + ".bn.scale", bias, prefix + ".bn.mean", prefix + ".bn.var"], convOutput,
                OnnxAttributes.Float("epsilon", Epsilon));
            graph.Node.Insert(graph.Node.IndexOf(conv) + 1, bn);
        }

        foreach (var pool in graph.Node.Where(n => n.OpType == "MaxPool"))
        {
            // ceil_mode arrived in opset 10; 0 is the default anyway.
            var ceil = pool.Attribute.FirstOrDefault(a => a.Name == "ceil_mode");
            if (ceil is not null)
            {
                pool.Attribute.Remove(ceil);
            }
        }

        model.IrVersion = 3;
        model.OpsetImport.Clear();
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 8 });
        return model;
    }

    private static void Rename(GraphProto graph, string from, string to)
    {
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }
        }
    }

    private static void RemoveInitializers(GraphProto graph, params string[] names)
    {
        foreach (var tensor in graph.Initializer.Where(t => names.Contains(t.Name)).ToList())
        {
            graph.Initializer.Remove(tensor);
        }
    }

    private static NodeProto Node(string opType, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { Name = output + "/" + opType, OpType = opType };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }
}
