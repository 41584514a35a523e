namespace Inference.TestSupport.Quantization;

/// <summary>Which original of <c>../shared/fidelity/images</c> each file in <c>variants</c> re-encodes (make_expected.py's make_variants).</summary>
public static class FidelityVariants
{
    public static IReadOnlyDictionary<string, string> Sources { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["progressive.jpg"] = "opencv_squirrel_cls.jpg",
        ["grayscale.jpg"] = "opencv_squirrel_cls.jpg",
        ["cmyk.jpg"] = "opencv_squirrel_cls.jpg",
        ["exif_rotated.jpg"] = "opencv_squirrel_cls.jpg",
        ["lossy.webp"] = "opencv_squirrel_cls.jpg",
        ["wide_8x.jpg"] = "opencv_squirrel_cls.jpg",
        ["rgba.png"] = "skimage_chelsea.png",
        ["palette.png"] = "skimage_chelsea.png",
        ["grayscale.png"] = "skimage_chelsea.png",
        ["lossless.webp"] = "skimage_chelsea.png",
        ["plain.bmp"] = "skimage_chelsea.png",
        ["palette.gif"] = "skimage_chelsea.png",
        ["tiny_37x23.png"] = "skimage_chelsea.png",
    };
}
