using Inference.TestSupport;

namespace Inference.Preprocessing.Tests.Limits;

public sealed class LimitTests
{
    private readonly byte[] _crop = new byte[224 * 224 * 3];

    [Fact]
    public void DecodeCrop_MoreBytesThanLimit_TooManyBytesNamingLimit()
    {
        var jpeg = TestImages.Jpeg(64, 64);
        var preprocessor = new ImagePreprocessor(new ImageLimits { MaxEncodedBytes = jpeg.Length - 1 });

        var error = Assert.Throws<ImageProcessingException>(() => preprocessor.DecodeCrop(jpeg, PreprocessingSpec.ImageNet, _crop));

        Assert.Equal(ImageErrorCode.TooManyBytes, error.Code);
        Assert.Contains("MaxEncodedBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeCrop_30000SquareJpegHeader_DimensionTooLargeByDefault()
    {
        var jpeg = TestImages.JpegWithDeclaredSize(30000, 30000);

        var error = Assert.Throws<ImageProcessingException>(() => new ImagePreprocessor().DecodeCrop(jpeg, PreprocessingSpec.ImageNet, _crop));

        Assert.Equal(ImageErrorCode.DimensionTooLarge, error.Code);
        Assert.Contains("MaxDimension", error.Message, StringComparison.Ordinal);
        Assert.Contains("30000x30000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeCrop_30000SquareJpegHeader_TooManyPixelsWithoutAllocatingThem()
    {
        var jpeg = TestImages.JpegWithDeclaredSize(30000, 30000);
        var preprocessor = new ImagePreprocessor(new ImageLimits { MaxDimension = 65535 });
        var before = GC.GetAllocatedBytesForCurrentThread();
        var memoryBefore = Environment.WorkingSet;

        var error = Assert.Throws<ImageProcessingException>(() => preprocessor.DecodeCrop(jpeg, PreprocessingSpec.ImageNet, _crop));

        Assert.Equal(ImageErrorCode.TooManyPixels, error.Code);
        Assert.Contains("MaxPixels", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
        Assert.True(Environment.WorkingSet - memoryBefore < 512L * 1024 * 1024, "3.6 GB of pixels were not allocated");
    }

    [Fact]
    public void DecodeCrop_WideImageOverMaxDimension_DimensionTooLarge()
    {
        var png = TestImages.Png(300, 10);
        var preprocessor = new ImagePreprocessor(new ImageLimits { MaxDimension = 299 });

        var error = Assert.Throws<ImageProcessingException>(() => preprocessor.DecodeCrop(png, PreprocessingSpec.ImageNet, _crop));

        Assert.Equal(ImageErrorCode.DimensionTooLarge, error.Code);
    }

    [Fact]
    public void DecodeCrop_AtTheLimits_Succeeds()
    {
        var png = TestImages.Png(300, 10);
        var preprocessor = new ImagePreprocessor(new ImageLimits { MaxDimension = 300, MaxPixels = 3000, MaxEncodedBytes = png.Length });

        var result = preprocessor.DecodeCrop(png, PreprocessingSpec.ImageNet, _crop);

        Assert.Equal((300, 10), (result.SourceWidth, result.SourceHeight));
    }
}
