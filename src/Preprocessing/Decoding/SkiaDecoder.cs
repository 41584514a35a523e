using Inference.Preprocessing.Buffers;
using Inference.Preprocessing.Limits;
using Inference.Preprocessing.Resize;
using SkiaSharp;

namespace Inference.Preprocessing.Decoding;

/// <summary>
/// Decodes with Skia (full-size JPEG pixels through the system's libjpeg-turbo where the caller allows it and it is
/// installed, see <see cref="TurboJpeg"/>) into a reused native buffer as 8-bit RGBx with unpremultiplied alpha and no colour
/// management (as Pillow: ICC profiles ignored, alpha dropped later, never multiplied into the colour).
/// 16-bit PNG keeps the high byte of each sample, as Pillow does for RGB and RGBA. One known departure:
/// Pillow 9.4 opens 16-bit grayscale PNG as mode <c>I</c> and clamps it to 0..255 (nearly all white);
/// Skia only gives the high byte there, which is what is used.
/// </summary>
internal static unsafe class SkiaDecoder
{
    /// <param name="data">The encoded bytes; they must stay pinned until the pixels have been used.</param>
    /// <param name="length">Number of bytes at <paramref name="data"/>.</param>
    /// <param name="format">The sniffed format name.</param>
    /// <param name="spec">Orientation and decode mode.</param>
    /// <param name="limits">Header limits.</param>
    /// <param name="scratch">Receives the pixels.</param>
    /// <param name="systemJpeg">Decode full-size JPEGs with the system's libjpeg-turbo where it is installed (<see cref="TurboJpeg"/>).</param>
    public static DecodedImage Decode(
        byte* data, int length, string format, PreprocessingSpec spec, ImageLimits limits, Scratch scratch, bool systemJpeg)
    {
        using var skData = SKData.Create((nint)data, length);
        using var codec = CreateCodec(skData, format);
        var width = codec.Info.Width;
        var height = codec.Info.Height;
        LimitGuard.CheckDimensions(limits, width, height, format);

        var origin = spec.ApplyExifOrientation ? codec.EncodedOrigin : SKEncodedOrigin.TopLeft;
        var swap = OrientedImage.SwapsAxes(origin);
        var (fullWidth, fullHeight) = swap ? (height, width) : (width, height);

        var (size, scale) = (new SKSizeI(width, height), 1.0);
        if (spec.Mode == DecodeMode.Fast && format == ImageFormat.Jpeg)
        {
            var (resizedWidth, resizedHeight) = CropGeometry.ResizedSize(fullWidth, fullHeight, spec);
            (size, scale) = swap ? FastScale.Choose(codec, resizedHeight, resizedWidth) : FastScale.Choose(codec, resizedWidth, resizedHeight);
        }

        // A full-size JPEG goes to the system's libjpeg-turbo when present: its whole decode is faster than Skia's region.
        var turbo = systemJpeg && format == ImageFormat.Jpeg && scale == 1 && TurboJpeg.LibraryName is not null;
        if (!turbo && spec.Mode == DecodeMode.Fast && format == ImageFormat.Jpeg && origin == SKEncodedOrigin.TopLeft)
        {
            var region = RegionDecoder.Decode(codec, size, scale, fullWidth, fullHeight, spec, scratch, format);
            return new DecodedImage(region, fullWidth, fullHeight, scale, format);
        }

        var rowBytes = (nint)size.Width * 4;
        var pixels = scratch.Decoded.Ensure(rowBytes * size.Height);
        if (!turbo || !TurboJpeg.TryDecode(data, length, width, height, pixels, rowBytes, scratch))
        {
            var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            var result = codec.GetPixels(info, (nint)pixels, (int)rowBytes, SKCodecOptions.Default);
            if (result != SKCodecResult.Success)
            {
                throw DecodeErrors.FromResult(result, format, "pixel data");
            }
        }

        var view = OrientedImage.Create(pixels, size.Width, size.Height, rowBytes, origin);
        return new DecodedImage(view, fullWidth, fullHeight, scale, format);
    }

    private static SKCodec CreateCodec(SKData data, string format)
    {
        // Create(SKData) allocates far less than the stream overload, which is used only to explain a failure.
        var codec = SKCodec.Create(data);
        if (codec is null)
        {
            using var stream = new SKMemoryStream(data);
            using var retry = SKCodec.Create(stream, out var result);
            throw DecodeErrors.FromResult(result == SKCodecResult.Success ? SKCodecResult.ErrorInInput : result, format, "header");
        }

        if (!IsSupported(codec.EncodedFormat))
        {
            codec.Dispose();
            throw new ImageProcessingException(ImageErrorCode.UnsupportedFormat, $"The image format {codec.EncodedFormat} is not supported.");
        }

        return codec;
    }

    private static bool IsSupported(SKEncodedImageFormat format) => format is
        SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png or SKEncodedImageFormat.Webp or SKEncodedImageFormat.Bmp or SKEncodedImageFormat.Gif;
}
