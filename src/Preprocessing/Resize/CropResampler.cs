using Inference.Preprocessing.Buffers;
using Inference.Preprocessing.Decoding;

namespace Inference.Preprocessing.Resize;

/// <summary>
/// Resize (Pillow's two-pass antialiased bilinear) and centre crop in one go: only the rows and columns
/// that land in the crop are computed, which gives the same bytes as resizing everything and cropping.
/// </summary>
internal static unsafe class CropResampler
{
    /// <summary>
    /// Writes the <c>InputWidth x InputHeight</c> crop as 4-byte pixels (RGBx) into <c>scratch.Crop</c> and returns it.
    /// </summary>
    /// <param name="image">The upright decoded image (possibly decoded at a reduced scale).</param>
    /// <param name="fullWidth">Upright width before any DCT scaling.</param>
    /// <param name="fullHeight">Upright height before any DCT scaling.</param>
    /// <param name="scale">The DCT scale the image was decoded at (1 in exact mode).</param>
    /// <param name="geometry">Resized size and crop offsets, from the image's full size.</param>
    /// <param name="spec">Crop size.</param>
    /// <param name="scratch">Working memory.</param>
    public static byte* Run(in OrientedImage image, int fullWidth, int fullHeight, double scale, CropGeometry geometry, PreprocessingSpec spec, Scratch scratch)
    {
        var cropWidth = spec.InputWidth;
        var cropHeight = spec.InputHeight;
        var cropStride = (nint)cropWidth * 4;
        var crop = scratch.Crop.Ensure(cropStride * cropHeight);

        var x0 = Math.Max(geometry.Left, 0);
        var x1 = Math.Min(geometry.Left + cropWidth, geometry.ResizedWidth);
        var y0 = Math.Max(geometry.Top, 0);
        var y1 = Math.Min(geometry.Top + cropHeight, geometry.ResizedHeight);
        if (x0 > geometry.Left || y0 > geometry.Top || x1 - x0 < cropWidth || y1 - y0 < cropHeight)
        {
            new Span<byte>(crop, checked((int)(cropStride * cropHeight))).Clear();
        }

        var horizontal = scratch.Horizontal;
        var vertical = scratch.Vertical;
        Plan(horizontal, image.Width, fullWidth * scale, geometry.ResizedWidth, x0, x1 - x0);
        Plan(vertical, image.Height, fullHeight * scale, geometry.ResizedHeight, y0, y1 - y0);

        var rowStart = vertical.InputStart;
        var rowCount = vertical.InputEnd - rowStart;
        var intermediateStride = (nint)horizontal.Count * 4;
        var intermediate = scratch.Intermediate.Ensure(Math.Max(intermediateStride * rowCount, 1));
        HorizontalPass.Run(image.Origin, image.XStep, image.YStep, rowStart, rowCount, horizontal, intermediate, intermediateStride);

        var target = crop + ((y0 - geometry.Top) * cropStride) + ((x0 - geometry.Left) * 4);
        VerticalPass.Run(intermediate, intermediateStride, rowStart, vertical, (int)intermediateStride, target, cropStride);
        return crop;
    }

    /// <summary>
    /// The rectangle <c>[Left, Right) x [Top, Bottom)</c> of the <paramref name="width"/> x <paramref name="height"/> upright
    /// decoded image that <see cref="Run"/> reads for <paramref name="geometry"/>; empty when the crop misses the image.
    /// </summary>
    public static (int Left, int Top, int Right, int Bottom) SourceBounds(
        int width, int height, int fullWidth, int fullHeight, double scale, CropGeometry geometry, PreprocessingSpec spec)
    {
        var x0 = Math.Max(geometry.Left, 0);
        var x1 = Math.Min(geometry.Left + spec.InputWidth, geometry.ResizedWidth);
        var y0 = Math.Max(geometry.Top, 0);
        var y1 = Math.Min(geometry.Top + spec.InputHeight, geometry.ResizedHeight);
        var (left, right) = AxisCoefficients.InputRange(width, fullWidth * scale, geometry.ResizedWidth, x0, x1 - x0);
        var (top, bottom) = AxisCoefficients.InputRange(height, fullHeight * scale, geometry.ResizedHeight, y0, y1 - y0);
        return (left, top, right, bottom);
    }

    private static void Plan(AxisCoefficients axis, int inSize, double inExtent, int outSize, int outStart, int count)
    {
        if (inSize == outSize && inExtent == inSize)
        {
            axis.ComputeIdentity(outStart, count);
        }
        else
        {
            axis.Compute(inSize, inExtent, outSize, outStart, count);
        }
    }
}
