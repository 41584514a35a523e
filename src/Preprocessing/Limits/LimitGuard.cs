namespace Inference.Preprocessing.Limits;

/// <summary>Checks <see cref="ImageLimits"/>: the byte count before anything else, dimensions from the header.</summary>
internal static class LimitGuard
{
    public static void CheckBytes(ImageLimits limits, int length)
    {
        if (length > limits.MaxEncodedBytes)
        {
            throw new ImageProcessingException(
                ImageErrorCode.TooManyBytes,
                $"The image is {length} bytes; the limit (MaxEncodedBytes) is {limits.MaxEncodedBytes}.");
        }
    }

    public static void CheckDimensions(ImageLimits limits, int width, int height, string format)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageProcessingException(ImageErrorCode.Corrupt, $"The {format} header declares an empty image ({width}x{height}).");
        }

        if (width > limits.MaxDimension || height > limits.MaxDimension)
        {
            throw new ImageProcessingException(
                ImageErrorCode.DimensionTooLarge,
                $"The {format} image is {width}x{height}; the limit (MaxDimension) is {limits.MaxDimension} pixels a side.");
        }

        var pixels = (long)width * height;
        if (pixels > limits.MaxPixels)
        {
            throw new ImageProcessingException(
                ImageErrorCode.TooManyPixels,
                $"The {format} image is {width}x{height} = {pixels} pixels; the limit (MaxPixels) is {limits.MaxPixels}.");
        }
    }
}
