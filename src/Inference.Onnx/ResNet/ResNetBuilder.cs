using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.ResNet;

/// <summary>
/// Builds torchvision-topology ResNets (18/34/50/101/152) as ONNX models the way
/// <c>torch.onnx.export</c> writes them in eval mode: BatchNorm folded into the convs, opset 17,
/// IR version 8, a symbolic batch, weights inline as raw data. The weights are seeded, so the
/// same spec gives the same bytes on every run and machine; they are scaled to keep activations
/// finite and informative at every depth. They classify nothing: these models test serving.
/// </summary>
public static class ResNetBuilder
{
    /// <summary>Changes whenever the bytes built for a given spec change (cache keys include it).</summary>
    public const string WeightsVersion = "resnet-builder-v1";

    public const int OpsetVersion = 17;

    public const long IrVersion = 8;

    /// <summary>The name of the pooled-feature tensor (the classifier's input) in every built model.</summary>
    public const string EmbeddingTensorName = "/Flatten_output_0";

    public static ModelProto Build(ResNetSpec spec)
    {
        Validate(spec);
        var architecture = ResNetArchitecture.For(spec.Depth);
        var graph = new GraphProto { Name = $"resnet{spec.Depth}" };
        var batch = spec.BatchSize is { } size ? ValueInfos.Fixed(size) : ValueInfos.Symbolic("batch");
        graph.Input.Add(ValueInfos.FloatTensor(
            spec.InputName, batch, ValueInfos.Fixed(3), ValueInfos.Fixed(spec.InputSize), ValueInfos.Fixed(spec.InputSize)));
        graph.Output.Add(ValueInfos.FloatTensor(spec.OutputName, batch, ValueInfos.Fixed(spec.NumClasses)));

        var g = new ResNetGraphAssembler(graph);
        var x = g.Conv("/conv1", "conv1", spec.InputName, 3, ResNetArchitecture.StemWidth, 7, 2);
        x = g.Relu("/relu", x);
        x = g.MaxPool("/maxpool", x);
        x = AddStages(g, architecture, x);
        x = g.GlobalAveragePool("/avgpool", x);
        x = g.Flatten(x);
        g.Classifier(x, architecture.EmbeddingWidth, spec.NumClasses, spec.OutputName);
        graph.Initializer.AddRange(WeightGenerator.Generate(g.Weights, spec.Seed));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Inference.Onnx.ResNetBuilder",
            ProducerVersion = WeightsVersion,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "resnet.depth", Value = spec.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "resnet.seed", Value = spec.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return model;
    }

    /// <summary>Builds the model and writes it to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    public static void Write(ResNetSpec spec, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OnnxFile.Write(Build(spec), path);
    }

    private static string AddStages(ResNetGraphAssembler g, ResNetArchitecture architecture, string input)
    {
        var residualGain = 1 / Math.Sqrt(architecture.TotalBlocks);
        var x = input;
        var inChannels = ResNetArchitecture.StemWidth;
        for (var stage = 0; stage < architecture.BlocksPerStage.Length; stage++)
        {
            var width = ResNetArchitecture.StemWidth << stage;
            var outChannels = width * architecture.Expansion;
            for (var index = 0; index < architecture.BlocksPerStage[stage]; index++)
            {
                var layer = $"layer{stage + 1}";
                var block = new BlockContext(
                    $"/{layer}/{layer}.{index}",
                    $"{layer}.{index}",
                    inChannels,
                    width,
                    outChannels,
                    stage > 0 && index == 0 ? 2 : 1,
                    residualGain);
                x = architecture.Bottleneck ? ResNetBlocks.Bottleneck(g, block, x) : ResNetBlocks.Basic(g, block, x);
                inChannels = outChannels;
            }
        }

        return x;
    }

    private static void Validate(ResNetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _ = ResNetArchitecture.For(spec.Depth);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.NumClasses, 1, nameof(spec.NumClasses));
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.InputSize, 32, nameof(spec.InputSize));
        if (spec.BatchSize is { } batch)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1, nameof(spec.BatchSize));
        }

        ArgumentException.ThrowIfNullOrEmpty(spec.InputName, nameof(spec.InputName));
        ArgumentException.ThrowIfNullOrEmpty(spec.OutputName, nameof(spec.OutputName));
        if (spec.InputName == spec.OutputName)
        {
            throw new ArgumentException($"The input and output are both named '{spec.InputName}'.", nameof(spec));
        }
    }
}
