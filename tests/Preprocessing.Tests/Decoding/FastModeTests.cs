using Inference.Preprocessing.Tests.Formats;
using Inference.TestSupport;
using SkiaSharp;

namespace Inference.Preprocessing.Tests.Decoding;

/// <summary>Fast mode (DCT-scaled JPEG decode) stays within MAD 0.5 of exact mode on photo-like JPEGs.</summary>
public sealed class FastModeTests
{
    private static readonly ImagePreprocessor Preprocessor = new();

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(4000, 3000)]
    [InlineData(3000, 4000)]
    public void DecodeCrop_FastMode_CloseToExact(int width, int height)
    {
        var jpeg = TestImages.Jpeg(width, height, quality: 90);

        var (mad, result) = FastVersusExact(jpeg);

        TestContext.Current.SendDiagnosticMessage($"synthetic {width}x{height}: fast MAD {mad:F4}");
        Assert.Equal((width, height), (result.SourceWidth, result.SourceHeight));
        Assert.True(mad <= 0.5, $"{width}x{height}: fast-mode MAD {mad:F4}");
    }

    [Theory]
    [InlineData("pytorch_hub_dog.jpg", 1920, 1080)]
    [InlineData("sklearn_china.jpg", 4000, 3000)]
    [InlineData("darknet_horses.jpg", 4000, 3000)]
    public void DecodeCrop_FastModeOnUpscaledPhoto_CloseToExact(string photo, int width, int height)
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        using var source = SKBitmap.Decode(Path.Combine(SharedData.Fidelity!, "images", photo));
        using var large = source.Resize(new SKImageInfo(width, height), new SKSamplingOptions(SKCubicResampler.CatmullRom));
        var jpeg = TestImages.Encode(large, SKEncodedImageFormat.Jpeg, 90);

        var (mad, _) = FastVersusExact(jpeg);

        TestContext.Current.SendDiagnosticMessage($"{photo} at {width}x{height}: fast MAD {mad:F4}");
        Assert.True(mad <= 0.5, $"{photo} {width}x{height}: fast-mode MAD {mad:F4}");
    }

    [Fact]
    public void DecodeCrop_FastModeOnPng_SameAsExact()
    {
        var png = TestImages.Png(1200, 1100);

        var (mad, _) = FastVersusExact(png);

        Assert.Equal(0, mad);
    }

    [Theory]
    [InlineData("baseline.jpg")]
    [InlineData("progressive.jpg")]
    [InlineData("gray.jpg")]
    [InlineData("cmyk.jpg")]
    [InlineData("wide.jpg")]
    [InlineData("exif2.jpg")]
    [InlineData("exif3.jpg")]
    [InlineData("exif4.jpg")]
    [InlineData("exif5.jpg")]
    [InlineData("exif6.jpg")]
    [InlineData("exif7.jpg")]
    [InlineData("exif8.jpg")]
    public void DecodeCrop_FastModeOnReferenceJpeg_CloseToPillow(string file)
    {
        var expected = ReferenceData.Expected(file, "s64c56");
        var crop = new byte[expected.Length];

        Preprocessor.DecodeCrop(ReferenceData.Image(file), ReferenceData.Short64Crop56 with { Mode = DecodeMode.Fast }, crop);

        var (mad, max) = ReferenceData.Compare(crop, expected);
        Assert.True(mad <= 0.5, $"{file}: fast-mode MAD {mad:F4}, max {max}");
    }

    [Theory]
    [InlineData(500, 375)]
    [InlineData(375, 500)]
    public void DecodeCrop_FastModeTooSmallToScale_SameAsExact(int width, int height)
    {
        var (mad, _) = FastVersusExact(TestImages.Jpeg(width, height, quality: 90));

        Assert.Equal(0, mad);
    }

    [Theory]
    [InlineData(0.95)]
    [InlineData(0.5)]
    [InlineData(0.1)]
    public void DecodeCrop_FastModeTruncatedJpeg_Truncated(double keep)
    {
        var jpeg = TestImages.Jpeg(1920, 1080, quality: 90);
        var crop = new byte[224 * 224 * 3];
        var exactError = Assert.Throws<ImageProcessingException>(() => Preprocessor.DecodeCrop(
            jpeg.AsSpan(0, (int)(jpeg.Length * keep)), PreprocessingSpec.ImageNet, crop));
        Assert.Equal(ImageErrorCode.Truncated, exactError.Code);

        var error = Assert.Throws<ImageProcessingException>(() => Preprocessor.DecodeCrop(
            jpeg.AsSpan(0, (int)(jpeg.Length * keep)), PreprocessingSpec.ImageNet with { Mode = DecodeMode.Fast }, crop));

        Assert.Equal(ImageErrorCode.Truncated, error.Code);
    }

    internal static (double Mad, PreprocessResult Result) FastVersusExact(byte[] encoded)
    {
        var exact = new byte[224 * 224 * 3];
        var fast = new byte[224 * 224 * 3];
        Preprocessor.DecodeCrop(encoded, PreprocessingSpec.ImageNet, exact);
        var result = Preprocessor.DecodeCrop(encoded, PreprocessingSpec.ImageNet with { Mode = DecodeMode.Fast }, fast);
        return (ReferenceData.Compare(fast, exact).Mad, result);
    }
}
