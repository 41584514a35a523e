using Inference.TestSupport;
using SkiaSharp;

namespace Inference.Preprocessing.Benchmarks;

/// <summary>
/// Photo-like JPEGs at the benchmark sizes: a real photo from shared/fidelity resized to the size when the
/// shared data is present, otherwise a synthetic scene. Quality 90, 4:2:0, as cameras and browsers send.
/// </summary>
public static class BenchImages
{
    public static byte[] Jpeg(int width, int height)
    {
        if (SharedData.Fidelity is { } root)
        {
            using var photo = SKBitmap.Decode(Path.Combine(root, "images", "pytorch_hub_dog.jpg"));
            using var resized = photo.Resize(new SKImageInfo(width, height), new SKSamplingOptions(SKCubicResampler.CatmullRom));
            return TestImages.Encode(resized, SKEncodedImageFormat.Jpeg, 90);
        }

        return TestImages.Jpeg(width, height, quality: 90);
    }

    public static string Source => SharedData.Fidelity is null ? "synthetic scene" : "shared/fidelity/images/pytorch_hub_dog.jpg, resized";
}
