using SkiaSharp;

namespace Inference.Preprocessing.Decoding;

/// <summary>
/// Fast mode: the smallest JPEG DCT scale (1/8, 1/4, 1/2) whose decoded size stays at least twice the
/// resized size on both axes; the exact resize then runs from there.
/// </summary>
internal static class FastScale
{
    private static readonly float[] Scales = [0.125f, 0.25f, 0.5f];

    /// <param name="codec">The JPEG codec.</param>
    /// <param name="resizedWidth">Width after Resize, in stored (not upright) orientation.</param>
    /// <param name="resizedHeight">Height after Resize, in stored orientation.</param>
    public static (SKSizeI Size, double Scale) Choose(SKCodec codec, int resizedWidth, int resizedHeight)
    {
        var full = new SKSizeI(codec.Info.Width, codec.Info.Height);
        foreach (var scale in Scales)
        {
            var size = codec.GetScaledDimensions(scale);
            if (size.Width < full.Width && size.Width >= 2 * resizedWidth && size.Height >= 2 * resizedHeight)
            {
                return (size, scale);
            }
        }

        return (full, 1.0);
    }
}
