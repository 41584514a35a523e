using Inference.Preprocessing.Buffers;
using Inference.Preprocessing.Resize;
using SkiaSharp;

namespace Inference.Preprocessing.Decoding;

/// <summary>
/// Fast mode for upright JPEGs: decodes only the columns and rows the resize + centre crop reads (plus a small
/// margin), with Skia's scanline decoder (libjpeg-turbo's <c>jpeg_crop_scanline</c> and <c>jpeg_skip_scanlines</c>).
/// The rows after the region are decoded too (and dropped), so a truncated file fails as it does in exact mode.
/// </summary>
internal static unsafe class RegionDecoder
{
    /// <summary>Extra pixels decoded around the region, away from libjpeg-turbo's crop and upsampling edges.</summary>
    private const int Margin = 2;

    /// <param name="codec">The JPEG codec, not yet decoding.</param>
    /// <param name="size">The (possibly DCT-scaled) size to decode at.</param>
    /// <param name="scale">The DCT scale of <paramref name="size"/>.</param>
    /// <param name="fullWidth">Width before scaling.</param>
    /// <param name="fullHeight">Height before scaling.</param>
    /// <param name="spec">Resize and crop.</param>
    /// <param name="scratch">Receives the pixels.</param>
    /// <param name="format">The format name, for errors.</param>
    public static OrientedImage Decode(
        SKCodec codec, SKSizeI size, double scale, int fullWidth, int fullHeight, PreprocessingSpec spec, Scratch scratch, string format)
    {
        var geometry = CropGeometry.For(fullWidth, fullHeight, spec);
        var (left, top, right, bottom) = CropResampler.SourceBounds(size.Width, size.Height, fullWidth, fullHeight, scale, geometry, spec);
        left = Math.Max(left - Margin, 0);
        top = Math.Max(top - Margin, 0);
        right = Math.Min(Math.Max(right + Margin, left + 1), size.Width);
        bottom = Math.Min(Math.Max(bottom + Margin, top + 1), size.Height);

        var rowBytes = (nint)(right - left) * 4;
        var rows = bottom - top;
        var pixels = scratch.Decoded.Ensure(rowBytes * rows);
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var start = codec.StartScanlineDecode(info, new SKCodecOptions(new SKRectI(left, 0, right, size.Height)));
        if (start != SKCodecResult.Success)
        {
            throw DecodeErrors.FromResult(start, format, "pixel data");
        }

        if ((top > 0 && !codec.SkipScanlines(top)) || codec.GetScanlines((nint)pixels, rows, (int)rowBytes) != rows)
        {
            throw DecodeErrors.FromResult(SKCodecResult.IncompleteInput, format, "pixel data");
        }

        // Skipping does not notice missing data, so the rows below the region are decoded (one at a time, into a
        // row the resize has not used yet) to fail on a truncated file as exact mode does.
        var tail = scratch.Intermediate.Ensure(rowBytes);
        for (var y = bottom; y < size.Height; y++)
        {
            if (codec.GetScanlines((nint)tail, 1, (int)rowBytes) != 1)
            {
                throw DecodeErrors.FromResult(SKCodecResult.IncompleteInput, format, "pixel data");
            }
        }

        return OrientedImage.Region(pixels, left, top, rowBytes, size.Width, size.Height);
    }
}
