using Inference.TestSupport;

namespace Inference.Preprocessing.Tests.Fidelity;

/// <summary>
/// Every file in <c>shared/fidelity</c> through both decoders against torchvision's crop. The lossless ones (PNG,
/// BMP, GIF, lossless WebP) are exact with ImageSharp too, and so is lossy WebP (ImageSharp ports libwebp). JPEG
/// is not: ImageSharp's float IDCT and its chroma upsampling (not libjpeg's "fancy" triangle filter) differ from
/// libjpeg-turbo, by a MAD under 1 level on these photos (the measured numbers are in bench/README.md).
/// </summary>
public sealed class ImageSharpFidelityTests
{
    private static readonly ImagePreprocessor Skia = new(ImageLimits.Default, ImageDecoderKind.Skia);
    private static readonly ImagePreprocessor ImageSharp = new(ImageLimits.Default, ImageDecoderKind.ImageSharp);

    public static TheoryData<string> Files() => FidelityTests.Files();

    [Theory]
    [MemberData(nameof(Files))]
    public void DecodeCrop_ImageSharp_MatchesTorchvisionWithinItsFormatBound(string name)
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        var (encoded, expected, entry) = FidelityManifest.Load(name);
        var skiaCrop = new byte[expected.Length];
        var imageSharpCrop = new byte[expected.Length];

        Skia.DecodeCrop(encoded, PreprocessingSpec.ImageNet, skiaCrop);
        var result = ImageSharp.DecodeCrop(encoded, PreprocessingSpec.ImageNet, imageSharpCrop);

        var decoded = entry.GetProperty("decoded_size");
        Assert.Equal((decoded[0].GetInt32(), decoded[1].GetInt32()), (result.SourceWidth, result.SourceHeight));
        var (skiaMad, skiaMax) = FidelityManifest.Compare(skiaCrop, expected);
        var (mad, max) = FidelityManifest.Compare(imageSharpCrop, expected);
        TestContext.Current.TestOutputHelper?.WriteLine($"| {name} | {skiaMad:F4} | {skiaMax} | {mad:F4} | {max} |");
        Assert.True(mad <= Bound(name), $"{name}: ImageSharp MAD {mad:F4}, max difference {max} (Skia: {skiaMad:F4}, {skiaMax})");
    }

    private static double Bound(string name) => Path.GetExtension(name) switch
    {
        ".jpg" when name == FidelityManifest.CmykFile => 1.5, // Pillow's own CMYK formula (see the shared README)
        ".jpg" => 1.0,
        _ => 0, // PNG, BMP, GIF, WebP: exact
    };
}
