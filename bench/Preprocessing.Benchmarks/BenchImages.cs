using System.Globalization;
using Inference.TestSupport;
using SkiaSharp;

namespace Inference.Preprocessing.Benchmarks;

/// <summary>
/// Photo-like JPEGs (and PNGs) at the benchmark sizes: a real photo from shared/fidelity resized to the size when the
/// shared data is present, otherwise a synthetic scene. Quality 90, 4:2:0, as cameras and browsers send.
/// </summary>
public static class BenchImages
{
    public static byte[] Jpeg(int width, int height) => Encode(width, height, SKEncodedImageFormat.Jpeg);

    /// <summary>The same picture as a PNG (Skia's encoder, default compression).</summary>
    public static byte[] Png(int width, int height) => Encode(width, height, SKEncodedImageFormat.Png);

    /// <summary><paramref name="size"/> is <c>WxH</c>; <paramref name="format"/> is <c>jpeg</c> or <c>png</c>.</summary>
    public static byte[] Make(string size, string format)
    {
        var parts = size.Split('x');
        var (width, height) = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        return format == "png" ? Png(width, height) : Jpeg(width, height);
    }

    private static byte[] Encode(int width, int height, SKEncodedImageFormat format)
    {
        if (SharedData.Fidelity is { } root)
        {
            using var photo = SKBitmap.Decode(Path.Combine(root, "images", "pytorch_hub_dog.jpg"));
            using var resized = photo.Resize(new SKImageInfo(width, height), new SKSamplingOptions(SKCubicResampler.CatmullRom));
            return TestImages.Encode(resized, format, 90);
        }

        using var scene = TestImages.PhotoLike(width, height);
        return TestImages.Encode(scene, format, 90);
    }

    public static string Source => SharedData.Fidelity is null ? "synthetic scene" : "shared/fidelity/images/pytorch_hub_dog.jpg, resized";
}
