using SkiaSharp;

namespace Inference.Engine.Tests.Support;

/// <summary>Distinct JPEGs drawn per seed: a two-colour gradient with circles and rectangles on it.</summary>
internal static class TestImages
{
    public static byte[] Jpeg(int seed)
    {
        var random = new Random(seed);
        var width = 240 + (seed * 37 % 200);
        var height = 200 + (seed * 53 % 160);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        using (var shader = SKShader.CreateLinearGradient(
            new SKPoint(0, 0), new SKPoint(width, height * random.NextSingle()), [Colour(random), Colour(random)], SKShaderTileMode.Clamp))
        using (var background = new SKPaint { Shader = shader })
        {
            canvas.DrawRect(0, 0, width, height, background);
        }

        for (var i = 0; i < 5; i++)
        {
            using var paint = new SKPaint { Color = Colour(random), IsAntialias = true };
            var x = random.NextSingle() * width;
            var y = random.NextSingle() * height;
            var size = 10 + (random.NextSingle() * width / 3);
            if (i % 2 == 0)
            {
                canvas.DrawCircle(x, y, size, paint);
            }
            else
            {
                canvas.DrawRect(x - size, y - (size / 2), size * 1.5f, size, paint);
            }
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    private static SKColor Colour(Random random) =>
        new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
}
