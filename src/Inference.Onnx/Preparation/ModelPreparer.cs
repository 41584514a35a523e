using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Preparation;

/// <summary>
/// Reads an ONNX image classifier, checks it can be served (one float NCHW input, outputs, external
/// data present) and exposes its pooled embedding as an extra graph output.
/// </summary>
public static class ModelPreparer
{
    /// <summary>Prepares the model at <paramref name="modelPath"/>.</summary>
    /// <param name="modelPath">The <c>.onnx</c> file; its external data files, if any, lie beside it.</param>
    /// <param name="embeddingTensorName">
    /// The tensor to expose as the embedding. Null: the classifier's input, found as the input of the last
    /// Gemm/MatMul fed (through Flatten/Reshape/Squeeze) by a GlobalAveragePool or ReduceMean.
    /// </param>
    /// <exception cref="OnnxModelException">The file is missing or not an ONNX model, or the model cannot be served.</exception>
    public static PreparedModel Prepare(string modelPath, string? embeddingTensorName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var fullPath = Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath))
        {
            throw new OnnxModelException($"Model file '{fullPath}' does not exist.");
        }

        var bytes = File.ReadAllBytes(fullPath);
        var model = Parse(bytes, fullPath);
        var graph = model.Graph;
        if (graph is null || graph.Node.Count == 0)
        {
            throw new OnnxModelException($"'{fullPath}' is not an ONNX model: it holds no graph nodes.");
        }

        var input = ImageInputReader.Read(graph, fullPath);
        if (graph.Output.Count == 0)
        {
            throw new OnnxModelException($"Model '{fullPath}' has no graph outputs.");
        }

        var directory = Path.GetDirectoryName(fullPath)!;
        var hasExternalData = ExternalDataValidator.Validate(graph, directory);
        var head = ClassifierLocator.Find(graph);
        var embedding = ChooseEmbedding(graph, head, embeddingTensorName, fullPath);
        var headMatches = head is not null && embedding == head.EmbeddingTensor;
        var width = headMatches ? head!.EmbeddingWidth : null;
        width ??= embedding is null ? null : DeclaredWidth(graph, embedding);
        if (embedding is not null && graph.Output.All(o => o.Name != embedding))
        {
            graph.Output.Add(EmbeddingOutput(embedding, input, width));
            bytes = model.ToByteArray();
        }

        var logits = graph.Output[0];
        var logitsDims = ValueInfos.Dimensions(logits);
        return new PreparedModel
        {
            ModelBytes = bytes,
            Model = model,
            ModelPath = fullPath,
            ModelDirectory = directory,
            HasExternalData = hasExternalData,
            SessionConfigEntries = hasExternalData
                ? new Dictionary<string, string> { [PreparedModel.ExternalInitializersFolderConfigKey] = directory }
                : new Dictionary<string, string>(),
            InputName = input.Name,
            InputDimensions = ValueInfos.Dimensions(input),
            LogitsOutputName = logits.Name,
            LogitsWidth = logitsDims.Length == 2 && logitsDims[1] is { } classes ? (int)classes : null,
            EmbeddingOutputName = embedding,
            EmbeddingWidth = width,
            ClassifierWeightName = headMatches ? head!.WeightName : null,
            ClassifierBiasName = headMatches ? head!.BiasName : null,
            ClassifierWeightTransposed = headMatches && head!.WeightTransposed,
        };
    }

    private static ModelProto Parse(byte[] bytes, string path)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
    }

    private static string? ChooseEmbedding(GraphProto graph, ClassifierHead? head, string? requested, string path)
    {
        if (requested is null)
        {
            return head?.EmbeddingTensor;
        }

        if (!graph.Node.Any(n => n.Output.Contains(requested)))
        {
            throw new OnnxModelException(
                $"Model '{path}': embedding tensor '{requested}' is not produced by any node of the graph.");
        }

        return requested;
    }

    /// <summary>
    /// The new output's value info: float [input's batch dimension, width] when the width is known; float
    /// with no declared shape otherwise (an override may name a tensor of any rank).
    /// </summary>
    private static ValueInfoProto EmbeddingOutput(string name, ValueInfoProto input, int? width)
    {
        if (width is { } w)
        {
            return ValueInfos.FloatTensor(name, input.Type.TensorType.Shape.Dim[0], ValueInfos.Fixed(w));
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = ElementType.Float } },
        };
    }

    /// <summary>The last dimension of a rank-2 tensor's declared shape (value_info or graph output), if fixed.</summary>
    private static int? DeclaredWidth(GraphProto graph, string tensor)
    {
        var info = graph.ValueInfo.Concat(graph.Output).FirstOrDefault(v => v.Name == tensor);
        var dims = info is null ? [] : ValueInfos.Dimensions(info);
        return dims.Length == 2 && dims[1] is { } width ? (int)width : null;
    }
}
