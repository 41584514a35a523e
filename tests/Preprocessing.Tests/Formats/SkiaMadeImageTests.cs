using Inference.Preprocessing.Tests.Resize;
using Inference.TestSupport;
using SkiaSharp;

namespace Inference.Preprocessing.Tests.Formats;

/// <summary>Images the tests make with SkiaSharp (and a BMP writer): lossless ones must match a plain resize exactly.</summary>
public sealed class SkiaMadeImageTests
{
    private static readonly ImagePreprocessor Preprocessor = new();
    private static readonly PreprocessingSpec Spec = new() { ResizeSize = 64, InputWidth = 56, InputHeight = 56 };

    public static TheoryData<string> LosslessFormats() => ["png", "webp-lossless", "bmp"];

    [Theory]
    [MemberData(nameof(LosslessFormats))]
    public void DecodeCrop_Lossless_EqualsPlainResize(string format)
    {
        using var bitmap = TestImages.PhotoLike(150, 110, seed: 5);
        var encoded = format switch
        {
            "png" => TestImages.Encode(bitmap, SKEncodedImageFormat.Png),
            "webp-lossless" => TestImages.Encode(bitmap, SKEncodedImageFormat.Webp, 100),
            _ => TestImages.Bmp(bitmap),
        };
        var crop = new byte[56 * 56 * 3];

        var result = Preprocessor.DecodeCrop(encoded, Spec, crop);

        Assert.Equal(format.Split('-')[0], result.Format);
        Assert.Equal(NaivePillowResize.ResizeAndCrop(CropResamplerTests.Rgb(bitmap), 150, 110, 64, 56), crop);
    }

    [Fact]
    public void DecodeCrop_PngWithTransparentPixels_DropsAlphaWithoutPremultiplying()
    {
        using var bitmap = TestImages.PhotoLike(150, 110, seed: 6, alphaGradient: true);
        var crop = new byte[56 * 56 * 3];

        Preprocessor.DecodeCrop(TestImages.Encode(bitmap, SKEncodedImageFormat.Png), Spec, crop);

        // Column 0 has alpha 0: premultiplying would have made the left of the image black.
        Assert.Equal(NaivePillowResize.ResizeAndCrop(CropResamplerTests.Rgb(bitmap), 150, 110, 64, 56), crop);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg, 95)]
    [InlineData(SKEncodedImageFormat.Webp, 90)]
    public void DecodeCrop_Lossy_CloseToSource(SKEncodedImageFormat format, int quality)
    {
        using var bitmap = TestImages.PhotoLike(150, 110, seed: 7);
        var crop = new byte[56 * 56 * 3];

        Preprocessor.DecodeCrop(TestImages.Encode(bitmap, format, quality), Spec, crop);

        var (mad, _) = ReferenceData.Compare(crop, NaivePillowResize.ResizeAndCrop(CropResamplerTests.Rgb(bitmap), 150, 110, 64, 56));
        Assert.True(mad < 3, $"{format}: MAD {mad:F2} against the source");
    }

    [Fact]
    public void DecodeCrop_GrayscaleJpeg_GivesEqualChannels()
    {
        using var color = TestImages.PhotoLike(120, 90);
        using var gray = new SKBitmap(new SKImageInfo(120, 90, SKColorType.Gray8, SKAlphaType.Opaque));
        color.CopyTo(gray, SKColorType.Gray8);
        var crop = new byte[56 * 56 * 3];

        var result = Preprocessor.DecodeCrop(TestImages.Encode(gray, SKEncodedImageFormat.Jpeg), Spec, crop);

        Assert.Equal("jpeg", result.Format);
        for (var i = 0; i < crop.Length; i += 3)
        {
            Assert.True(crop[i] == crop[i + 1] && crop[i] == crop[i + 2]);
        }

        Assert.Contains(crop, b => b is > 10 and < 245);
    }

    [Fact]
    public void DecodeCrop_SixteenBitPng_UsesHighByte()
    {
        using var bitmap = TestImages.PhotoLike(90, 70, seed: 8);
        using var wide = new SKBitmap(new SKImageInfo(90, 70, SKColorType.Rgba16161616, SKAlphaType.Unpremul));
        Assert.True(bitmap.CopyTo(wide, SKColorType.Rgba16161616));
        var crop = new byte[56 * 56 * 3];

        Preprocessor.DecodeCrop(TestImages.Encode(wide, SKEncodedImageFormat.Png), Spec, crop);

        Assert.Equal(NaivePillowResize.ResizeAndCrop(CropResamplerTests.Rgb(bitmap), 90, 70, 64, 56), crop);
    }

    [Fact]
    public void DecodeCrop_ExifOrientationOff_KeepsStoredLayout()
    {
        var exif6 = ReferenceData.Image("exif6.jpg");
        var crop = new byte[56 * 56 * 3];

        var upright = Preprocessor.DecodeCrop(exif6, Spec, crop);
        var stored = Preprocessor.DecodeCrop(exif6, Spec with { ApplyExifOrientation = false }, crop);

        Assert.Equal((upright.SourceHeight, upright.SourceWidth), (stored.SourceWidth, stored.SourceHeight));
        Assert.Equal((128, 96), (upright.SourceWidth, upright.SourceHeight));
    }

    [Fact]
    public void DecodeCrop_ExtremeAspectRatio_Works()
    {
        var crop = new byte[224 * 224 * 3];

        var result = Preprocessor.DecodeCrop(TestImages.Jpeg(3000, 20), PreprocessingSpec.ImageNet, crop);

        Assert.Equal((3000, 20), (result.SourceWidth, result.SourceHeight));
        Assert.Contains(crop, b => b != 0);
    }
}
