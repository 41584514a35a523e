namespace Inference.Preprocessing.Resize;

/// <summary>
/// Where the crop lies in the resized image, following torchvision 0.14: <c>Resize</c> then
/// <c>CenterCrop</c>. Offsets may be negative when the crop is larger than the image (zero padding).
/// </summary>
internal readonly record struct CropGeometry(int ResizedWidth, int ResizedHeight, int Left, int Top)
{
    public static CropGeometry For(int width, int height, PreprocessingSpec spec)
    {
        var (resizedWidth, resizedHeight) = ResizedSize(width, height, spec);
        return new CropGeometry(
            resizedWidth,
            resizedHeight,
            CropOffset(resizedWidth, spec.InputWidth),
            CropOffset(resizedHeight, spec.InputHeight));
    }

    /// <summary><c>Resize(int)</c>: the short side becomes the size, the long side <c>int(size * long / short)</c>.</summary>
    public static (int Width, int Height) ResizedSize(int width, int height, PreprocessingSpec spec)
    {
        if (spec.Resize == ResizeRule.Stretch)
        {
            return (spec.ResizeSize, spec.ResizeSize);
        }

        var size = spec.ResizeSize;
        if (width <= height)
        {
            return (size, (int)((double)size * height / width));
        }

        return ((int)((double)size * width / height), size);
    }

    /// <summary>
    /// <c>CenterCrop</c>: <c>int(round((size - crop) / 2.0))</c> with round-half-to-even; a crop larger than the
    /// image pads <c>(crop - size) // 2</c> zeros before it.
    /// </summary>
    public static int CropOffset(int size, int crop)
    {
        if (crop > size)
        {
            return -((crop - size) / 2);
        }

        return (int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven);
    }
}
