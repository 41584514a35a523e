using SkiaSharp;

namespace Inference.Preprocessing.Decoding;

/// <summary>
/// A decoded 4-byte-per-pixel image seen upright: pixel (x, y) is at <c>Origin + x * XStep + y * YStep</c>.
/// The EXIF orientation becomes strides, so no rotated copy is made.
/// </summary>
internal readonly unsafe struct OrientedImage
{
    private OrientedImage(byte* origin, nint xStep, nint yStep, int width, int height)
    {
        Origin = origin;
        XStep = xStep;
        YStep = yStep;
        Width = width;
        Height = height;
    }

    public byte* Origin { get; }

    public nint XStep { get; }

    public nint YStep { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>True when the orientation swaps width and height.</summary>
    public static bool SwapsAxes(SKEncodedOrigin origin) => (int)origin >= (int)SKEncodedOrigin.LeftTop;

    /// <summary>
    /// An upright view of a <paramref name="width"/> x <paramref name="height"/> image of which only the rectangle
    /// at (<paramref name="left"/>, <paramref name="top"/>) was decoded, into <paramref name="pixels"/>: pixels outside it must not be read.
    /// </summary>
    public static OrientedImage Region(byte* pixels, int left, int top, nint rowBytes, int width, int height) =>
        new(pixels - ((nint)left * 4) - (top * rowBytes), 4, rowBytes, width, height);

    /// <summary>The view of <paramref name="pixels"/> (stored <paramref name="width"/> x <paramref name="height"/>) shown upright.</summary>
    public static OrientedImage Create(byte* pixels, int width, int height, nint rowBytes, SKEncodedOrigin origin)
    {
        nint lastColumn = (width - 1) * 4;
        var lastRow = (height - 1) * rowBytes;
        return origin switch
        {
            SKEncodedOrigin.TopRight => new(pixels + lastColumn, -4, rowBytes, width, height),
            SKEncodedOrigin.BottomRight => new(pixels + lastRow + lastColumn, -4, -rowBytes, width, height),
            SKEncodedOrigin.BottomLeft => new(pixels + lastRow, 4, -rowBytes, width, height),
            SKEncodedOrigin.LeftTop => new(pixels, rowBytes, 4, height, width),
            SKEncodedOrigin.RightTop => new(pixels + lastRow, -rowBytes, 4, height, width),
            SKEncodedOrigin.RightBottom => new(pixels + lastRow + lastColumn, -rowBytes, -4, height, width),
            SKEncodedOrigin.LeftBottom => new(pixels + lastColumn, rowBytes, -4, height, width),
            _ => new(pixels, 4, rowBytes, width, height),
        };
    }
}
