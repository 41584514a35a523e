using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Tests.Support;

/// <summary>Small hand-built classifier graphs (pool → classifier over 3 channels, 5 classes) for fast tests.</summary>
internal static class TinyModels
{
    public const int Classes = 5;
    public const int Channels = 3;

    /// <summary>input [batch,3,4,4] → GlobalAveragePool → Flatten → Gemm(fc.weight [5,3], fc.bias, transB=1) → logits.</summary>
    public static ModelProto GemmClassifier()
    {
        var model = NewModel();
        var graph = model.Graph;
        graph.Node.Add(Node("GlobalAveragePool", ["input"], ["pooled"]));
        graph.Node.Add(Node("Flatten", ["pooled"], ["features"], OnnxAttributes.Int("axis", 1)));
        graph.Node.Add(Node("Gemm", ["features", "fc.weight", "fc.bias"], ["logits"], OnnxAttributes.Int("transB", 1)));
        graph.Initializer.Add(OnnxTensors.CreateFloat("fc.weight", [Classes, Channels], Sequence(Classes * Channels, 0.1f)));
        graph.Initializer.Add(OnnxTensors.CreateFloat("fc.bias", [Classes], Sequence(Classes, 0.5f)));
        return model;
    }

    /// <summary>input → ReduceMean(axes 2,3, keepdims 0) → MatMul(head.w [3,5]) → Add(head.b) → logits.</summary>
    public static ModelProto MatMulClassifier()
    {
        var model = NewModel();
        var graph = model.Graph;
        graph.Node.Add(Node("ReduceMean", ["input"], ["features"], OnnxAttributes.Ints("axes", 2, 3), OnnxAttributes.Int("keepdims", 0)));
        graph.Node.Add(Node("MatMul", ["features", "head.w"], ["product"]));
        graph.Node.Add(Node("Add", ["product", "head.b"], ["logits"]));
        graph.Initializer.Add(OnnxTensors.CreateFloat("head.w", [Channels, Classes], Sequence(Classes * Channels, -0.2f)));
        graph.Initializer.Add(OnnxTensors.CreateFloat("head.b", [Classes], Sequence(Classes, 1f)));
        return model;
    }

    public static string Write(ModelProto model, string path)
    {
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    /// <summary>Moves <paramref name="initializerName"/>'s bytes to <c>weights.bin</c> beside <paramref name="modelPath"/> (at offset 16).</summary>
    public static void MoveToExternalData(ModelProto model, string initializerName, string modelPath)
    {
        var tensor = model.Graph.Initializer.Single(t => t.Name == initializerName);
        var data = new byte[16 + tensor.RawData.Length];
        tensor.RawData.Span.CopyTo(data.AsSpan(16));
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(modelPath)!, "weights.bin"), data);
        tensor.RawData = ByteString.Empty;
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "16" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = (data.Length - 16).ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    public static float[] Sequence(int count, float start)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = start + (0.05f * i);
        }

        return values;
    }

    private static ModelProto NewModel()
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(ValueInfos.FloatTensor("input", ValueInfos.Symbolic("n"), ValueInfos.Fixed(Channels), ValueInfos.Fixed(4), ValueInfos.Fixed(4)));
        graph.Output.Add(ValueInfos.FloatTensor("logits", ValueInfos.Symbolic("n"), ValueInfos.Fixed(Classes)));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });
        return model;
    }

    private static NodeProto Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = opType };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }
}
