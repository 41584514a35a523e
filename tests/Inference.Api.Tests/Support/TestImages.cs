using SkiaSharp;

namespace Inference.Api.Tests.Support;

/// <summary>Distinct, photo-like test images made on the fly (gradients and shapes from a seed).</summary>
internal static class TestImages
{
    public static byte[] Jpeg(int seed, int width = 320, int height = 240) => Encode(seed, width, height, SKEncodedImageFormat.Jpeg);

    public static byte[] Png(int seed, int width = 200, int height = 150) => Encode(seed, width, height, SKEncodedImageFormat.Png);

    private static byte[] Encode(int seed, int width, int height, SKEncodedImageFormat format)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var gradient = SKShader.CreateLinearGradient(
                new SKPoint(0, 0), new SKPoint(width, height), [RandomColor(random), RandomColor(random)], SKShaderTileMode.Clamp);
            using var background = new SKPaint();
            background.Shader = gradient;
            canvas.DrawRect(0, 0, width, height, background);
            using var paint = new SKPaint { IsAntialias = true };
            for (var i = 0; i < 8; i++)
            {
                paint.Color = RandomColor(random);
                canvas.DrawCircle(random.Next(width), random.Next(height), random.Next(10, Math.Max(11, width / 3)), paint);
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    private static SKColor RandomColor(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
}
