using SkiaSharp;

namespace Inference.TestSupport;

/// <summary>Photo-like test images made with SkiaSharp: smooth gradients, shapes and mild noise.</summary>
public static class TestImages
{
    /// <summary>A deterministic RGBA bitmap of the given size (opaque unless <paramref name="alphaGradient"/>).</summary>
    public static SKBitmap PhotoLike(int width, int height, int seed = 1, bool alphaGradient = false)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var random = new Random(seed);
        var pixels = bitmap.GetPixelSpan();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var fx = (double)x / width;
                var fy = (double)y / height;
                var inDisc = Math.Pow(fx - 0.5, 2) + Math.Pow(fy - 0.5, 2) < 0.08;
                var i = ((y * width) + x) * 4;
                pixels[i] = Clamp((128 + (100 * Math.Sin(fx * 9) * Math.Cos(fy * 7))) + random.Next(-6, 7));
                pixels[i + 1] = Clamp((255 * fx) + random.Next(-6, 7));
                pixels[i + 2] = Clamp((inDisc ? 220 : 40) + (30 * fy) + random.Next(-6, 7));
                pixels[i + 3] = alphaGradient ? (byte)(255 * x / Math.Max(1, width - 1)) : (byte)255;
            }
        }

        return bitmap;
    }

    /// <summary>Encodes <paramref name="bitmap"/> with Skia (JPEG, PNG or WebP; quality 100 on WebP means lossless).</summary>
    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 90)
    {
        using var data = bitmap.Encode(format, quality) ?? throw new InvalidOperationException($"Skia cannot encode {format}");
        return data.ToArray();
    }

    /// <summary>A photo-like JPEG of the given size.</summary>
    public static byte[] Jpeg(int width, int height, int quality = 90, int seed = 1)
    {
        using var bitmap = PhotoLike(width, height, seed);
        return Encode(bitmap, SKEncodedImageFormat.Jpeg, quality);
    }

    /// <summary>A photo-like PNG of the given size.</summary>
    public static byte[] Png(int width, int height, int seed = 1)
    {
        using var bitmap = PhotoLike(width, height, seed);
        return Encode(bitmap, SKEncodedImageFormat.Png);
    }

    /// <summary>An uncompressed 24-bit bottom-up BMP of the bitmap's colours (Skia has no BMP encoder).</summary>
    public static byte[] Bmp(SKBitmap bitmap)
    {
        var width = bitmap.Width;
        var height = bitmap.Height;
        var stride = ((width * 3) + 3) & ~3;
        var bytes = new byte[54 + (stride * height)];
        "BM"u8.CopyTo(bytes);
        BitConverter.TryWriteBytes(bytes.AsSpan(2), bytes.Length);
        BitConverter.TryWriteBytes(bytes.AsSpan(10), 54);
        BitConverter.TryWriteBytes(bytes.AsSpan(14), 40);
        BitConverter.TryWriteBytes(bytes.AsSpan(18), width);
        BitConverter.TryWriteBytes(bytes.AsSpan(22), height);
        BitConverter.TryWriteBytes(bytes.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(bytes.AsSpan(28), (short)24);
        BitConverter.TryWriteBytes(bytes.AsSpan(34), stride * height);
        var pixels = bitmap.GetPixelSpan();
        for (var y = 0; y < height; y++)
        {
            var row = 54 + ((height - 1 - y) * stride);
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 4;
                bytes[row + (x * 3)] = pixels[i + 2];
                bytes[row + (x * 3) + 1] = pixels[i + 1];
                bytes[row + (x * 3) + 2] = pixels[i];
            }
        }

        return bytes;
    }

    /// <summary>
    /// A valid JPEG whose SOF header declares <paramref name="width"/> x <paramref name="height"/> (the scan data is a
    /// tiny image's): a decoder that trusts the header would allocate the declared size.
    /// </summary>
    public static byte[] JpegWithDeclaredSize(int width, int height)
    {
        var bytes = Jpeg(16, 16);
        for (var i = 2; i + 8 < bytes.Length; i++)
        {
            if (bytes[i] == 0xFF && bytes[i + 1] is 0xC0 or 0xC2)
            {
                bytes[i + 5] = (byte)(height >> 8);
                bytes[i + 6] = (byte)height;
                bytes[i + 7] = (byte)(width >> 8);
                bytes[i + 8] = (byte)width;
                return bytes;
            }
        }

        throw new InvalidOperationException("no SOF marker in the encoded JPEG");
    }

    private static byte Clamp(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}
