namespace Inference.Preprocessing;

/// <summary>Limits checked from the image header before any full decode.</summary>
public sealed record ImageLimits
{
    public static ImageLimits Default { get; } = new();

    public long MaxEncodedBytes { get; init; } = 32L * 1024 * 1024;

    public long MaxPixels { get; init; } = 64L * 1024 * 1024;

    public int MaxDimension { get; init; } = 16384;
}
