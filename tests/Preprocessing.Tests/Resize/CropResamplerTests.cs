using Inference.TestSupport;
using SkiaSharp;

namespace Inference.Preprocessing.Tests.Resize;

/// <summary>Lossless sources: the crop equals a plain whole-image Pillow resize followed by the crop.</summary>
public sealed class CropResamplerTests
{
    private static readonly ImagePreprocessor Preprocessor = new();

    [Theory]
    [InlineData(500, 375, 256, 224)]
    [InlineData(375, 500, 256, 224)]
    [InlineData(640, 97, 64, 56)] // wide
    [InlineData(31, 300, 64, 56)] // tall, upsampled across
    [InlineData(40, 30, 64, 56)] // upsampled on both axes
    [InlineData(256, 300, 256, 224)] // width unchanged: vertical pass only
    [InlineData(320, 288, 288, 288)] // other model sizes
    public void DecodeCrop_LosslessPng_EqualsWholeImageResizeThenCrop(int width, int height, int resize, int crop)
    {
        using var bitmap = TestImages.PhotoLike(width, height, seed: width + height);
        var spec = new PreprocessingSpec { ResizeSize = resize, InputWidth = crop, InputHeight = crop };
        var actual = new byte[crop * crop * 3];

        Preprocessor.DecodeCrop(TestImages.Encode(bitmap, SKEncodedImageFormat.Png), spec, actual);

        var expected = NaivePillowResize.ResizeAndCrop(Rgb(bitmap), width, height, resize, crop);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void DecodeCrop_CropLargerThanResize_PadsWithZeros()
    {
        var spec = new PreprocessingSpec { ResizeSize = 20, InputWidth = 24, InputHeight = 24 };
        var crop = new byte[24 * 24 * 3];

        Preprocessor.DecodeCrop(TestImages.Png(40, 20), spec, crop);

        // Resized to 40x20: rows 0-1 and 22-23 are padding, columns are cropped from 8.
        Assert.All(crop.AsSpan(0, 2 * 24 * 3).ToArray(), b => Assert.Equal(0, b));
        Assert.All(crop.AsSpan(22 * 24 * 3).ToArray(), b => Assert.Equal(0, b));
        Assert.Contains(crop.AsSpan(2 * 24 * 3, 20 * 24 * 3).ToArray(), b => b != 0);
    }

    internal static byte[] Rgb(SKBitmap bitmap)
    {
        var pixels = bitmap.GetPixelSpan();
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        for (var i = 0; i < bitmap.Width * bitmap.Height; i++)
        {
            rgb[i * 3] = pixels[i * 4];
            rgb[(i * 3) + 1] = pixels[(i * 4) + 1];
            rgb[(i * 3) + 2] = pixels[(i * 4) + 2];
        }

        return rgb;
    }
}
