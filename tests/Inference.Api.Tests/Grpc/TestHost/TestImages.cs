using SkiaSharp;

namespace Inference.Api.Tests.Grpc.TestHost;

/// <summary>Small distinct PNGs made on the fly (random noise, seeded by index).</summary>
internal static class TestImages
{
    public static byte[] Png(int seed, int width = 40, int height = 30)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Bytes that are no image at all.</summary>
    public static byte[] Corrupt { get; } = "this is not an image, just text"u8.ToArray();
}
