using Google.Protobuf;
using Inference.Engine.Tests.Support;
using Inference.Onnx.Protos;
using Inference.Onnx.ResNet;

namespace Inference.Engine.Tests.Wild;

/// <summary>
/// One seeded ResNet-18 (10 classes, 64x64) served as its plain export and as other exporters write it, each with the
/// config.json its users would write; plus models that must fail to load, or load without embed.
/// </summary>
public sealed class ExportVariantsFixture : IAsyncLifetime
{
    public const string Plain = "plain";
    public const string Keras = "keras";
    public const string Features = "features-rank4";
    public const string Unfused = "opset8-unfused";
    public const string MaxPooled = "maxpool-head";
    public const string LabelsMismatch = "labels-mismatch";
    public const string Spatial = "spatial-output";

    private const string Common = "\"inputSize\": 64, \"resizeSize\": 73, \"maxBatchSize\": 2, \"maxQueueDelayMs\": 0";

    public static readonly ResNetSpec Spec = new(18) { NumClasses = 10, InputSize = 64, Seed = 11 };

    private readonly TempDirectory _repository = new("wild-tests-");

    internal TestEngine Host { get; private set; } = null!;

    internal IReadOnlyList<string> LoadFailures { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var plain = ResNetBuilder.Build(Spec);
        Write(Plain, plain, "{" + Common + "}");
        Write(Keras, ResNetVariants.KerasCaffe(plain), """{ "layout": "NHWC", "channelOrder": "BGR", "pixelRange": 255, "mean": [103.939, 116.779, 123.68], "std": [1, 1, 1], """ + Common + "}");
        Write(Features, ResNetVariants.FeatureOnly(plain, rank4: true), "{" + Common + "}");
        Write(Unfused, ResNetVariants.UnfusedBatchNorm(plain, 3), "{" + Common + "}");

        var maxPooled = plain.Clone();
        maxPooled.Graph.Node.Single(n => n.OpType == "GlobalAveragePool").OpType = "GlobalMaxPool";
        Write(MaxPooled, maxPooled, "{" + Common + "}");

        Write(LabelsMismatch, plain, "{" + Common + "}");
        File.WriteAllLines(_repository.PathOf(LabelsMismatch, "labels.txt"), ["cat", "dog", "eagle"]);

        // The last block's output [N, 512, 2, 2] served as is: not logits, not pooled.
        var spatial = ResNetVariants.FeatureOnly(plain, rank4: true);
        var pool = spatial.Graph.Node.Single(n => n.OpType == "GlobalAveragePool");
        spatial.Graph.Node.Remove(pool);
        spatial.Graph.Output[0].Name = pool.Input[0];
        spatial.Graph.Output[0].Type.TensorType.Shape.Dim[2].DimParam = "h";
        spatial.Graph.Output[0].Type.TensorType.Shape.Dim[3].DimParam = "w";
        Write(Spatial, spatial, "{" + Common + "}");

        Host = TestEngine.Create(
            _repository.Root,
            SharedDemoWeights.CacheDirectory,
            [Plain, Keras, Features, Unfused, MaxPooled, LabelsMismatch, Spatial],
            new Dictionary<string, string?> { ["Inference:StopOnModelLoadFailure"] = "false" });
        LoadFailures = await Host.LoadAllAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _repository.Dispose();
    }

    private void Write(string name, ModelProto model, string config)
    {
        Directory.CreateDirectory(_repository.PathOf(name));
        File.WriteAllBytes(_repository.PathOf(name, "model.onnx"), model.ToByteArray());
        File.WriteAllText(_repository.PathOf(name, "config.json"), config);
    }
}
