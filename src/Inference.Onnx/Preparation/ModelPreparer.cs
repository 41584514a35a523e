using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Preparation;

/// <summary>What a model's configuration asks of <see cref="ModelPreparer"/>; every field is optional.</summary>
public sealed record ModelPreparationOptions
{
    /// <summary>The tensor to expose as the embedding instead of the one found in the graph.</summary>
    public string? EmbeddingTensor { get; init; }

    /// <summary>
    /// An ONNX graph composed in front of the model's input: it takes the resized, cropped image as float RGB
    /// NCHW 0-255 [N, 3, H, W]; its output feeds the model.
    /// </summary>
    public string? PreprocessGraphPath { get; init; }

    /// <summary>The input layout the configuration names (true NHWC, false NCHW), or null to detect it from the shape.</summary>
    public bool? ChannelsLast { get; init; }
}

/// <summary>
/// Reads an ONNX image model, checks it can be served (one float NCHW or NHWC input, external data present),
/// composes a preprocessing graph in front of it when asked, and finds its outputs: the logits of a classifier
/// and the pooled embedding (exposed as an extra graph output), or the pooled features of a feature extractor.
/// </summary>
public static class ModelPreparer
{
    /// <summary>Prepares the model at <paramref name="modelPath"/>.</summary>
    /// <param name="modelPath">The <c>.onnx</c> file; its external data files, if any, lie beside it.</param>
    /// <param name="embeddingTensorName">
    /// The tensor to expose as the embedding. Null: the classifier's input, found as the input of the last
    /// Gemm/MatMul fed (through Flatten/Reshape/Squeeze) by a GlobalAveragePool, ReduceMean or AveragePool.
    /// </param>
    /// <exception cref="OnnxModelException">The file is missing or not an ONNX model, or the model cannot be served.</exception>
    public static PreparedModel Prepare(string modelPath, string? embeddingTensorName = null) =>
        Prepare(modelPath, new ModelPreparationOptions { EmbeddingTensor = embeddingTensorName });

    /// <summary>Prepares the model at <paramref name="modelPath"/> as <paramref name="options"/> ask.</summary>
    /// <exception cref="OnnxModelException">The file is missing or not an ONNX model, or the model cannot be served.</exception>
    public static PreparedModel Prepare(string modelPath, ModelPreparationOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentNullException.ThrowIfNull(options);
        var fullPath = Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath))
        {
            throw new OnnxModelException($"Model file '{fullPath}' does not exist.");
        }

        // The graph without its weights: large initializers point at their bytes in the file, which ORT maps (WeightReferences).
        // The stamp, taken first, tells whether the file those offsets point into is still the file that was read.
        var stamp = ModelFileStamp.Of(fullPath);
        var model = WeightReferences.Read(fullPath);
        var graph = model.Graph;
        if (graph is null || graph.Node.Count == 0)
        {
            throw new OnnxModelException($"'{fullPath}' is not an ONNX model: it holds no graph nodes.");
        }

        var input = ImageInputReader.Read(graph, fullPath);
        var channelsLast = ImageInputReader.ChannelsLast(input, options.ChannelsLast, fullPath);
        if (options.PreprocessGraphPath is { } preprocessPath)
        {
            if (channelsLast == true)
            {
                throw new OnnxModelException(
                    $"Model '{fullPath}': input '{input.Name}' has shape [{ImageInputReader.Describe(input)}] (NHWC); a preprocessGraph feeds NCHW [N, 3, H, W] images.");
            }

            PreprocessGraphComposer.Compose(model, input, Path.GetFullPath(preprocessPath), fullPath);
            input = ImageInputReader.Read(graph, fullPath);
            channelsLast = false;
        }

        if (graph.Output.Count == 0)
        {
            throw new OnnxModelException($"Model '{fullPath}' has no graph outputs.");
        }

        var directory = Path.GetDirectoryName(fullPath)!;
        var hasExternalData = ExternalDataValidator.Validate(graph, fullPath);
        var outputs = OutputLocator.Locate(graph, options.EmbeddingTensor, fullPath);
        var embedding = outputs.EmbeddingTensor;
        var width = outputs.EmbeddingWidth;
        if (embedding is not null && graph.Output.All(o => o.Name != embedding))
        {
            graph.Output.Add(EmbeddingOutput(embedding, input, width));
        }

        if (outputs.FlattenedFrom is { } pooled)
        {
            graph.Node.Add(new NodeProto
            {
                Name = embedding + "/node",
                OpType = "Flatten",
                Input = { pooled },
                Output = { embedding },
                Attribute = { OnnxAttributes.Int("axis", 1) },
            });
        }

        // The export's own small external tensors are read in: ORT would keep its data file mapped for them (a torch
        // export of resnet18 kept 5 pages of its model.onnx.data mapped), and a copy over that file would then
        // crash the process. Every file ORT still reads weights from is stamped, to tell a file replaced during the load.
        var stamps = DataFiles(graph, fullPath).ToDictionary(path => path, path => path == fullPath ? stamp : ModelFileStamp.Of(path));
        WeightReferences.ReadIn(model, fullPath, WeightReferences.MinimumBytes);
        var referenced = graph.Initializer.Count(t => WeightReferences.PointsInto(t, fullPath));
        var weightFiles = DataFiles(graph, fullPath).ToDictionary(path => path, path => stamps[path]);
        var externalBytes = graph.Initializer
            .Where(t => t.DataLocation == TensorProto.Types.DataLocation.External)
            .Sum(t => WeightReferences.StoredLength(t, ExternalDataReference.Parse(t)));

        var logitsDims = outputs.Logits is null ? [] : ValueInfos.Dimensions(outputs.Logits);
        return new PreparedModel
        {
            ModelBytes = model.ToByteArray(),
            Model = model,
            ModelPath = fullPath,
            ModelDirectory = directory,
            HasExternalData = hasExternalData,
            ReferencedWeights = referenced,
            WeightFiles = weightFiles,
            ExternalWeightBytes = externalBytes,
            SessionConfigEntries = weightFiles.Count > 0
                ? new Dictionary<string, string> { [PreparedModel.ExternalInitializersFolderConfigKey] = directory }
                : new Dictionary<string, string>(),
            InputName = input.Name,
            InputDimensions = ValueInfos.Dimensions(input),
            InputChannelsLast = channelsLast,
            LogitsOutputName = outputs.Logits?.Name,
            LogitsWidth = logitsDims.Length == 2 && logitsDims[1] is { } classes ? (int)classes : null,
            EmbeddingOutputName = embedding,
            EmbeddingWidth = width,
            EmbeddingUnavailableReason = outputs.EmbeddingUnavailableReason,
            ClassifierWeightName = outputs.Head?.WeightName,
            ClassifierBiasName = outputs.Head?.BiasName,
            ClassifierWeightTransposed = outputs.Head?.WeightTransposed ?? false,
        };
    }

    /// <summary>The full paths of the files the graph's externally stored initializers live in (the model file included).</summary>
    private static IEnumerable<string> DataFiles(GraphProto graph, string modelPath) => graph.Initializer
        .Where(t => t.DataLocation == TensorProto.Types.DataLocation.External)
        .Select(t => ExternalDataReference.Parse(t).ResolvePath(Path.GetDirectoryName(modelPath)!))
        .Distinct(StringComparer.Ordinal);

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
}
