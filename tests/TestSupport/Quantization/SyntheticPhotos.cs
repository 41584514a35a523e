using System.Globalization;
using SkiaSharp;

namespace Inference.TestSupport.Quantization;

/// <summary>
/// A seeded calibration folder that shares nothing with <c>../shared/fidelity</c>: scenes drawn with Skia from a
/// sky-to-ground gradient, fractal colour noise (random coarse grids upscaled bilinearly, octave on octave, so the
/// spectrum falls off roughly as natural images' does), and overlapping shapes with hard and soft edges, then
/// mild pixel noise and JPEG compression. They are not photos; they give every layer varied, edge-rich input.
/// </summary>
public static class SyntheticPhotos
{
    /// <summary>Writes <paramref name="count"/> JPEGs (<c>synthetic000.jpg</c>, ...) to <paramref name="folder"/> unless they are there; returns the folder.</summary>
    public static string Write(string folder, int count, int seed = 2026)
    {
        Directory.CreateDirectory(folder);
        for (var i = 0; i < count; i++)
        {
            var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"synthetic{i:D3}.jpg"));
            if (File.Exists(path))
            {
                continue;
            }

            using var bitmap = Draw(seed + i);
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(path, data.ToArray());
        }

        return folder;
    }

    /// <summary>One scene, 320 to 480 pixels wide, landscape or portrait.</summary>
    public static SKBitmap Draw(int seed)
    {
        var random = new Random(seed);
        var width = random.Next(320, 481);
        var height = random.Next(240, 481);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            using var background = new SKPaint();
            background.Shader = SKShader.CreateLinearGradient(
                new SKPoint(0, 0), new SKPoint(0, height), [RandomColor(random), RandomColor(random), RandomColor(random)],
                [0f, (float)(0.3 + (0.4 * random.NextDouble())), 1f], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, background);
            for (var octave = 0; octave < 4; octave++)
            {
                DrawNoise(canvas, random, width, height, 4 << octave, (byte)(110 >> octave));
            }

            var shapes = random.Next(4, 14);
            for (var s = 0; s < shapes; s++)
            {
                DrawShape(canvas, random, width, height);
            }
        }

        AddGrain(bitmap, random);
        return bitmap;
    }

    private static void DrawNoise(SKCanvas canvas, Random random, int width, int height, int cells, byte alpha)
    {
        using var grid = new SKBitmap(new SKImageInfo(cells, Math.Max(2, cells * height / width), SKColorType.Rgba8888, SKAlphaType.Premul));
        var pixels = grid.GetPixelSpan();
        for (var i = 0; i < pixels.Length; i += 4)
        {
            pixels[i] = (byte)random.Next(256);
            pixels[i + 1] = (byte)random.Next(256);
            pixels[i + 2] = (byte)random.Next(256);
            pixels[i + 3] = 255;
        }

        using var image = SKImage.FromBitmap(grid);
        using var paint = new SKPaint { Color = new SKColor(255, 255, 255, alpha) };
        canvas.DrawImage(image, new SKRect(0, 0, width, height), new SKSamplingOptions(SKFilterMode.Linear), paint);
    }

    private static void DrawShape(SKCanvas canvas, Random random, int width, int height)
    {
        using var paint = new SKPaint { IsAntialias = true, Color = RandomColor(random).WithAlpha((byte)random.Next(140, 256)) };
        if (random.Next(3) == 0)
        {
            paint.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, (float)(1 + (6 * random.NextDouble())));
        }

        var x = (float)(random.NextDouble() * width);
        var y = (float)(random.NextDouble() * height);
        var w = (float)((0.05 + (0.4 * random.NextDouble())) * width);
        var h = (float)((0.05 + (0.4 * random.NextDouble())) * height);
        canvas.Save();
        canvas.RotateDegrees((float)(random.NextDouble() * 90), x, y);
        switch (random.Next(4))
        {
            case 0:
                canvas.DrawOval(x, y, w / 2, h / 2, paint);
                break;
            case 1:
                canvas.DrawRect(x - (w / 2), y - (h / 2), w, h, paint);
                break;
            case 2:
                paint.Style = SKPaintStyle.Stroke;
                paint.StrokeWidth = (float)(1 + (8 * random.NextDouble()));
                canvas.DrawLine(x - w, y, x + w, y + (h / 3), paint);
                break;
            default:
                paint.Shader = SKShader.CreateLinearGradient(
                    new SKPoint(x - w, y), new SKPoint(x + w, y), [RandomColor(random), RandomColor(random)], SKShaderTileMode.Mirror);
                canvas.DrawRoundRect(x - (w / 2), y - (h / 2), w, h, w / 6, h / 6, paint);
                break;
        }

        canvas.Restore();
    }

    private static void AddGrain(SKBitmap bitmap, Random random)
    {
        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < pixels.Length; i++)
        {
            if ((i & 3) != 3)
            {
                pixels[i] = (byte)Math.Clamp(pixels[i] + random.Next(-5, 6), 0, 255);
            }
        }
    }

    private static SKColor RandomColor(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
}
