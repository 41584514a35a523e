using SkiaSharp;

namespace Inference.Container.Tests.Infrastructure;

/// <summary>Small JPEG photos made on the fly (a seeded colour gradient with noise).</summary>
internal static class TestImages
{
    public static byte[] Jpeg(int width = 320, int height = 240, int seed = 1)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var noise = random.Next(-20, 20);
                bitmap.SetPixel(x, y, new SKColor(
                    Clamp((x * 255 / width) + noise), Clamp((y * 255 / height) + noise), Clamp(((x + y) * 128 / (width + height)) + noise)));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);
}
