using System.Buffers.Binary;
using System.IO.Compression;
using Inference.Api.Tests.Support;
using SkiaSharp;

namespace Inference.Api.Tests.Hostile;

/// <summary>What the service must make of a hostile image, whatever the protocol.</summary>
internal enum ImageVerdict
{
    /// <summary>A valid image, however odd (1x1): classified.</summary>
    Accepted,

    /// <summary>Undecodable, truncated or inconsistent: a bad request naming the image.</summary>
    Invalid,

    /// <summary>Zero bytes.</summary>
    Empty,

    /// <summary>A header claiming more pixels or a longer side than the limits (a decompression bomb): refused before decoding.</summary>
    OverPixelLimit,

    /// <summary>More bytes than <c>Inference:MaxImageBytes</c>.</summary>
    OverByteLimit,
}

internal sealed record HostileImage(string Name, byte[] Bytes, string MediaType, ImageVerdict Verdict);

/// <summary>
/// The hostile image corpus, generated: valid images of each format cut at many points, seeded random bytes (bare and
/// behind each format's signature), headers declaring huge or zero dimensions over tiny data, 1x1 images, and the
/// byte limit crossed. GIF and BMP are written here (Skia encodes neither), the others with SkiaSharp.
/// </summary>
internal static class HostileImages
{
    private static readonly double[] CutFractions = [0.25, 0.5, 0.75, 0.95];
    private static readonly int[] CutBytes = [1, 3, 8, 32];

    public static IReadOnlyDictionary<string, HostileImage> All { get; } = Build().ToDictionary(static i => i.Name, StringComparer.Ordinal);

    /// <summary>A subset for the protocols that repeat the REST corpus: every kind of case, fewer cut points.</summary>
    public static IEnumerable<string> Sample => All.Keys.Where(static n => !n.Contains("-cut-", StringComparison.Ordinal) || n.EndsWith("-cut-at-50%", StringComparison.Ordinal));

    private static IEnumerable<HostileImage> Build()
    {
        var valid = new (string Format, string MediaType, byte[] Bytes)[]
        {
            ("jpeg", "image/jpeg", TestImages.Jpeg(7001)),
            ("png", "image/png", TestImages.Png(7002)),
            ("webp", "image/webp", Skia(7003, 160, 120, SKEncodedImageFormat.Webp)),
            ("bmp", "image/bmp", Bmp(64, 48, seed: 7004)),
            ("gif", "image/gif", Gif(64, 48, seed: 7005)),
        };

        yield return new("empty", [], "image/jpeg", ImageVerdict.Empty);
        foreach (var (format, mediaType, bytes) in valid)
        {
            foreach (var cut in CutBytes)
            {
                yield return new($"{format}-cut-at-{cut}-bytes", bytes[..cut], mediaType, ImageVerdict.Invalid);
            }

            foreach (var fraction in CutFractions)
            {
                yield return new($"{format}-cut-at-{(int)(fraction * 100)}%", bytes[..(int)(bytes.Length * fraction)], mediaType, ImageVerdict.Invalid);
            }
        }

        for (var seed = 1; seed <= 10; seed++)
        {
            yield return new($"random-{seed}", Random(seed, 16 << (seed % 8)), "application/octet-stream", ImageVerdict.Invalid);
        }

        foreach (var (format, signature) in new (string, byte[])[]
        {
            ("jpeg", [0xFF, 0xD8, 0xFF, 0xE0]), ("png", [0x89, .. "PNG\r\n\u001a\n"u8]), ("gif", [.. "GIF89a"u8]), ("bmp", [.. "BM"u8]),
            ("webp", [.. "RIFF"u8, 0x00, 0x10, 0x00, 0x00, .. "WEBPVP8 "u8]),
        })
        {
            yield return new($"{format}-signature-then-random", [.. signature, .. Random(format.Length * 31, 2048)], "application/octet-stream", ImageVerdict.Invalid);
        }

        // Decompression bombs: each a few hundred bytes claiming a side over MaxImageDimension (16384) or more than MaxImagePixels (64 Mpx).
        yield return new("png-bomb-100000x100000", Png(100_000, 100_000), "image/png", ImageVerdict.OverPixelLimit);
        yield return new("png-bomb-16000x16000", Png(16_000, 16_000), "image/png", ImageVerdict.OverPixelLimit);
        yield return new("png-bomb-20000x1", Png(20_000, 1), "image/png", ImageVerdict.OverPixelLimit);
        yield return new("jpeg-bomb-60000x60000", JpegDeclaring(60_000, 60_000), "image/jpeg", ImageVerdict.OverPixelLimit);
        yield return new("jpeg-bomb-16000x16000", JpegDeclaring(16_000, 16_000), "image/jpeg", ImageVerdict.OverPixelLimit);
        yield return new("gif-bomb-65535x65535", Gif(65_535, 65_535, seed: 1, pixels: 64), "image/gif", ImageVerdict.OverPixelLimit);
        yield return new("bmp-bomb-30000x30000", Bmp(30_000, 30_000, seed: 1, pixelBytes: 64), "image/bmp", ImageVerdict.OverPixelLimit);
        yield return new("webp-bomb-16383x16383", WebpDeclaring(16_383, 16_383), "image/webp", ImageVerdict.OverPixelLimit);

        yield return new("png-0x0", Png(0, 0), "image/png", ImageVerdict.Invalid);
        yield return new("png-0x100", Png(0, 100), "image/png", ImageVerdict.Invalid);
        yield return new("jpeg-0x0", JpegDeclaring(0, 0), "image/jpeg", ImageVerdict.Invalid);
        yield return new("gif-0x0", Gif(0, 0, seed: 1, pixels: 0), "image/gif", ImageVerdict.Invalid);
        yield return new("bmp-0x0", Bmp(0, 0, seed: 1), "image/bmp", ImageVerdict.Invalid);
        yield return new("webp-0x0", WebpDeclaring(0, 0), "image/webp", ImageVerdict.Invalid);

        yield return new("jpeg-1x1", TestImages.Jpeg(7011, 1, 1), "image/jpeg", ImageVerdict.Accepted);
        yield return new("png-1x1", TestImages.Png(7012, 1, 1), "image/png", ImageVerdict.Accepted);
        yield return new("webp-1x1", Skia(7013, 1, 1, SKEncodedImageFormat.Webp), "image/webp", ImageVerdict.Accepted);
        yield return new("bmp-1x1", Bmp(1, 1, seed: 7014), "image/bmp", ImageVerdict.Accepted);
        yield return new("gif-1x1", Gif(1, 1, seed: 7015), "image/gif", ImageVerdict.Accepted);

        yield return new("jpeg-over-MaxImageBytes", [.. TestImages.Jpeg(7021), .. new byte[ServiceFactory.MaxImageBytes]], "image/jpeg", ImageVerdict.OverByteLimit);
    }

    public static byte[] Random(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Skia(int seed, int width, int height, SKEncodedImageFormat format)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        using var canvas = new SKCanvas(bitmap);
        using var paint = new SKPaint { Color = new SKColor((byte)random.Next(256), 40, 200) };
        canvas.DrawCircle(width / 2f, height / 2f, Math.Max(1, width / 3f), paint);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>A real JPEG whose frame header (SOF) is rewritten to declare <paramref name="width"/> x <paramref name="height"/>.</summary>
    private static byte[] JpegDeclaring(int width, int height)
    {
        var jpeg = TestImages.Jpeg(7031, 64, 48);
        for (var i = 2; i + 9 < jpeg.Length; i += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 2)))
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] is >= 0xC0 and <= 0xC2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(i + 5), (ushort)height);
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(i + 7), (ushort)width);
                return jpeg;
            }
        }

        throw new InvalidOperationException("The encoded JPEG has no SOF0..2 frame header.");
    }

    /// <summary>A real lossy WebP whose VP8 key frame header is rewritten to declare <paramref name="width"/> x <paramref name="height"/> (14 bits each).</summary>
    private static byte[] WebpDeclaring(int width, int height)
    {
        var webp = Skia(7032, 64, 48, SKEncodedImageFormat.Webp);
        Assert.Equal("VP8 "u8.ToArray(), webp[12..16]);
        Assert.Equal(new byte[] { 0x9D, 0x01, 0x2A }, webp[23..26]);
        BinaryPrimitives.WriteUInt16LittleEndian(webp.AsSpan(26), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(webp.AsSpan(28), (ushort)height);
        return webp;
    }

    /// <summary>A PNG of an 8-bit RGB header declaring <paramref name="width"/> x <paramref name="height"/> over one small IDAT.</summary>
    private static byte[] Png(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, .. "PNG\r\n\u001a\n"u8]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = 2;
        Chunk(png, "IHDR"u8, header);
        using (var deflated = new MemoryStream())
        {
            using (var zlib = new ZLibStream(deflated, CompressionLevel.Fastest, leaveOpen: true))
            {
                zlib.Write(new byte[256]);
            }

            Chunk(png, "IDAT"u8, deflated.ToArray());
        }

        Chunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(type);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32([.. type, .. data]));
        png.Write(word);
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    /// <summary>A 24-bit bottom-up BMP; <paramref name="pixelBytes"/> writes fewer pixel bytes than the header declares.</summary>
    private static byte[] Bmp(int width, int height, int seed, int? pixelBytes = null)
    {
        var imageSize = (long)(((width * 3) + 3) & ~3) * height;
        var length = pixelBytes ?? (int)imageSize;
        var bmp = new byte[54 + length];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(2), (uint)Math.Min(54 + imageSize, uint.MaxValue));
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(34), (uint)Math.Min(imageSize, uint.MaxValue));
        new Random(seed).NextBytes(bmp.AsSpan(54));
        return bmp;
    }

    /// <summary>
    /// A GIF89a with a 256-entry palette, <paramref name="pixels"/> (default: all) random pixels as 9-bit LZW literals,
    /// a clear code every 250 so that the code width never grows.
    /// </summary>
    private static byte[] Gif(int width, int height, int seed, int? pixels = null)
    {
        using var gif = new MemoryStream();
        var word = new byte[2];
        void WriteUInt16(int value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(word, (ushort)value);
            gif.Write(word);
        }

        gif.Write("GIF89a"u8);
        WriteUInt16(width);
        WriteUInt16(height);
        gif.Write([0xF7, 0, 0]);
        for (var i = 0; i < 256; i++)
        {
            gif.Write([(byte)i, (byte)(255 - i), (byte)(i * 7)]);
        }

        gif.WriteByte(0x2C);
        WriteUInt16(0);
        WriteUInt16(0);
        WriteUInt16(width);
        WriteUInt16(height);
        gif.Write([0, 8]);

        var random = new Random(seed);
        var codes = new List<byte>();
        ulong accumulator = 0;
        var bits = 0;
        void Code(int code)
        {
            accumulator |= (ulong)code << bits;
            for (bits += 9; bits >= 8; bits -= 8, accumulator >>= 8)
            {
                codes.Add((byte)accumulator);
            }
        }

        Code(256);
        var count = pixels ?? (width * height);
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && i % 250 == 0)
            {
                Code(256);
            }

            Code(random.Next(256));
        }

        Code(257);
        if (bits > 0)
        {
            codes.Add((byte)accumulator);
        }

        foreach (var block in codes.Chunk(255))
        {
            gif.WriteByte((byte)block.Length);
            gif.Write(block);
        }

        gif.Write([0, 0x3B]);
        return gif.ToArray();
    }
}
