namespace Inference.Onnx.ResNet;

/// <summary>
/// What <see cref="ResNetBuilder"/> builds: a torchvision ResNet of <see cref="Depth"/> layers with
/// seeded weights. Everything but the depth has the torchvision / <c>torch.onnx.export</c> default.
/// </summary>
public sealed record ResNetSpec(int Depth)
{
    /// <summary>The depths torchvision defines: 18, 34, 50, 101 and 152.</summary>
    public static IReadOnlyList<int> SupportedDepths { get; } = [18, 34, 50, 101, 152];

    public int NumClasses { get; init; } = 1000;

    /// <summary>The weights are a pure function of this seed (and <see cref="ResNetBuilder.WeightsVersion"/>).</summary>
    public ulong Seed { get; init; }

    /// <summary>The declared height and width of the input (the graph itself accepts any size of 32 or more).</summary>
    public int InputSize { get; init; } = 224;

    public string InputName { get; init; } = "input";

    public string OutputName { get; init; } = "logits";

    /// <summary>Null (the default): the batch dimension is symbolic, named <c>batch</c>; a value fixes it.</summary>
    public int? BatchSize { get; init; }

    /// <summary>The width of the pooled feature (the Flatten output fed to the classifier): 512 or 2048.</summary>
    public int EmbeddingWidth => ResNetArchitecture.For(Depth).EmbeddingWidth;
}
