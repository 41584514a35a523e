namespace Inference.Onnx.ResNet;

/// <summary>torchvision's block layout for each depth.</summary>
internal sealed record ResNetArchitecture(bool Bottleneck, int[] BlocksPerStage)
{
    public const int StemWidth = 64;

    public int Expansion => Bottleneck ? 4 : 1;

    public int EmbeddingWidth => 512 * Expansion;

    public int TotalBlocks => BlocksPerStage.Sum();

    public static ResNetArchitecture For(int depth) => depth switch
    {
        18 => new(false, [2, 2, 2, 2]),
        34 => new(false, [3, 4, 6, 3]),
        50 => new(true, [3, 4, 6, 3]),
        101 => new(true, [3, 4, 23, 3]),
        152 => new(true, [3, 8, 36, 3]),
        _ => throw new ArgumentOutOfRangeException(
            nameof(depth), depth, $"ResNet depth must be one of {string.Join(", ", ResNetSpec.SupportedDepths)}."),
    };
}
