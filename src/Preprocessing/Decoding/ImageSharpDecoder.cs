using Inference.Preprocessing.Buffers;
using Inference.Preprocessing.Limits;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace Inference.Preprocessing.Decoding;

/// <summary>
/// Decodes with SixLabors.ImageSharp 2.x (pure managed; the only decoder here that reads TIFF) into RGB24 in
/// ImageSharp's pooled memory, then widens it to the RGBx layout the resize reads. The header is read first
/// (<c>Identify</c>) so the limits hold before any pixel memory is taken. Alpha is dropped, never multiplied in,
/// as Pillow's <c>convert("RGB")</c>; 16-bit PNG keeps the high byte of each sample, as the Skia path and Pillow do
/// (ImageSharp's own 16-to-8-bit conversion rounds instead). Only the first frame of a GIF or multi-page TIFF is decoded.
/// </summary>
internal sealed unsafe class ImageSharpDecoder
{
    /// <summary>
    /// Pixel memory ImageSharp keeps pooled between decodes. A 12 MP photo is 36 MB as RGB24: this keeps one such
    /// decode (or several common-sized ones) warm; concurrent larger decodes allocate past it and give it back.
    /// </summary>
    internal const int PoolMegabytes = 64;

    private readonly Configuration _configuration;
    private readonly JpegDecoder _jpeg = new();
    private readonly PngDecoder _png = new();
    private readonly WebpDecoder _webp = new();
    private readonly BmpDecoder _bmp = new();
    private readonly GifDecoder _gif = new() { DecodingMode = FrameDecodingMode.First };
    private readonly TiffDecoder _tiff = new() { DecodingMode = FrameDecodingMode.First };

    public ImageSharpDecoder(ImageLimits limits)
    {
        // Largest single buffer a legal image needs (RGBA64 for 16-bit PNG); a header that lies gets a typed error.
        var allocationLimit = Math.Clamp((limits.MaxPixels * 8 / (1024 * 1024)) + 1, 16, int.MaxValue);
        _configuration = Configuration.Default.Clone();
        _configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
        {
            MaximumPoolSizeMegabytes = PoolMegabytes,
            AllocationLimitMegabytes = (int)allocationLimit,
        });

        // Requests run in parallel already; one decode uses its caller's thread only.
        _configuration.MaxDegreeOfParallelism = 1;
    }

    /// <param name="data">The encoded bytes, pinned for the duration of the call.</param>
    /// <param name="length">Number of bytes at <paramref name="data"/>.</param>
    /// <param name="format">The sniffed format name.</param>
    /// <param name="spec">Orientation.</param>
    /// <param name="limits">Header limits.</param>
    /// <param name="scratch">Receives the pixels.</param>
    public DecodedImage Decode(byte* data, int length, string format, PreprocessingSpec spec, ImageLimits limits, Scratch scratch)
    {
        var decoder = DecoderFor(format);
        using var stream = new UnmanagedMemoryStream(data, length);
        var info = Identify(decoder, stream, format);
        var (width, height) = (info.Width, info.Height);
        LimitGuard.CheckDimensions(limits, width, height, format);
        var encoded = new ReadOnlySpan<byte>(data, length);
        StreamCompleteness.Check(encoded, format);

        var (tiffOrientation, tiffPalette) = format == ImageFormat.Tiff ? TiffDirectory.Read(encoded) : (1, false);
        var orientation = format == ImageFormat.Tiff ? tiffOrientation : ExifOrientation(info.Metadata);
        var origin = spec.ApplyExifOrientation ? (SKEncodedOrigin)orientation : SKEncodedOrigin.TopLeft;
        var swap = OrientedImage.SwapsAxes(origin);
        var rowBytes = (nint)width * 4;
        var pixels = scratch.Decoded.Ensure(rowBytes * height);
        stream.Position = 0;
        try
        {
            // 16 bits a sample (or a TIFF colour map, always 16-bit): Pillow keeps the high byte; ImageSharp would round.
            if (tiffPalette || (format == ImageFormat.Png && info.Metadata.GetPngMetadata().BitDepth == PngBitDepth.Bit16))
            {
                using var wide = decoder.Decode<Rgba64>(_configuration, stream, CancellationToken.None);
                CheckSize(wide, width, height, format);
                HighBytes(wide, pixels, rowBytes);
            }
            else
            {
                using var image = decoder.Decode<Rgb24>(_configuration, stream, CancellationToken.None);
                CheckSize(image, width, height, format);
                Widen(image, pixels, rowBytes);
            }
        }
        catch (Exception e) when (IsDecoderFailure(e))
        {
            throw Translate(e, format, "pixel data");
        }

        var view = OrientedImage.Create(pixels, width, height, rowBytes, origin);
        return new DecodedImage(view, swap ? height : width, swap ? width : height, 1.0, format);
    }

    private IImageInfo Identify(IImageDecoder decoder, Stream stream, string format)
    {
        try
        {
            return ((IImageInfoDetector)decoder).Identify(_configuration, stream, CancellationToken.None)
                ?? throw DecodeErrors.Corrupt(format, "its header could not be read");
        }
        catch (Exception e) when (IsDecoderFailure(e))
        {
            throw Translate(e, format, "header");
        }
    }

    private IImageDecoder DecoderFor(string format) => format switch
    {
        ImageFormat.Jpeg => _jpeg,
        ImageFormat.Png => _png,
        ImageFormat.Webp => _webp,
        ImageFormat.Bmp => _bmp,
        ImageFormat.Gif => _gif,
        ImageFormat.Tiff => _tiff,
        _ => throw new ImageProcessingException(ImageErrorCode.UnsupportedFormat, $"ImageSharp has no decoder for {format}."),
    };

    private static int ExifOrientation(ImageMetadata metadata)
    {
        var value = metadata.ExifProfile?.GetValue(ExifTag.Orientation)?.Value ?? 1;
        return value is >= 1 and <= 8 ? value : 1;
    }

    private static void CheckSize<TPixel>(Image<TPixel> image, int width, int height, string format)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        if (image.Width != width || image.Height != height)
        {
            throw DecodeErrors.Corrupt(format, $"the header says {width}x{height} but {image.Width}x{image.Height} was decoded");
        }
    }

    private static void Widen(Image<Rgb24> image, byte* pixels, nint rowBytes)
    {
        var width = image.Width;
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.DangerousGetPixelRowMemory(y).Span;
            var target = (uint*)(pixels + (y * rowBytes));
            for (var x = 0; x < width; x++)
            {
                var p = row[x];
                target[x] = p.R | ((uint)p.G << 8) | ((uint)p.B << 16) | 0xFF000000u;
            }
        }
    }

    private static void HighBytes(Image<Rgba64> image, byte* pixels, nint rowBytes)
    {
        var width = image.Width;
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.DangerousGetPixelRowMemory(y).Span;
            var target = (uint*)(pixels + (y * rowBytes));
            for (var x = 0; x < width; x++)
            {
                var p = row[x];
                target[x] = (uint)(p.R >> 8) | ((uint)(p.G >> 8) << 8) | ((uint)(p.B >> 8) << 16) | 0xFF000000u;
            }
        }
    }

    /// <summary>
    /// Any failure inside the managed decoder is the input's fault (hostile bytes can reach code paths that throw
    /// IndexOutOfRange and the like); only the process-level ones and our own refusals pass through.
    /// </summary>
    private static bool IsDecoderFailure(Exception e) => e is not (ImageProcessingException or OutOfMemoryException);

    private static ImageProcessingException Translate(Exception e, string format, string stage) => e switch
    {
        EndOfStreamException => new(
            ImageErrorCode.Truncated, $"The {format} image is truncated: its data ends before the {stage} is complete.", e),
        UnknownImageFormatException or NotSupportedException => new(
            ImageErrorCode.UnsupportedFormat, $"This {format} variant is not supported ({stage}: {e.Message})", e),
        InvalidMemoryOperationException => new(
            ImageErrorCode.Corrupt, $"The {format} image is corrupt: its {stage} asks for more memory than its size allows.", e),
        ImageFormatException => new(ImageErrorCode.Corrupt, $"The {format} image is corrupt ({stage}: {e.Message})", e),
        _ => new(ImageErrorCode.Corrupt, $"The {format} image is corrupt: the decoder failed on its {stage} ({e.GetType().Name}).", e),
    };
}
