using Inference.TestSupport;

namespace Inference.Preprocessing.Tests.Decoding;

public sealed class CorruptInputTests
{
    private static readonly ImagePreprocessor Preprocessor = new();
    private readonly byte[] _crop = new byte[224 * 224 * 3];

    [Fact]
    public void DecodeCrop_ZeroBytes_Empty()
    {
        var error = Assert.Throws<ImageProcessingException>(() => Preprocessor.DecodeCrop([], PreprocessingSpec.ImageNet, _crop));

        Assert.Equal(ImageErrorCode.Empty, error.Code);
    }

    [Theory]
    [InlineData("not an image at all")]
    [InlineData("%PDF-1.7")]
    [InlineData("\0\0\0\u000cjP  ")] // JPEG 2000
    public void DecodeCrop_OtherFormat_UnsupportedFormat(string text)
    {
        var bytes = System.Text.Encoding.Latin1.GetBytes(text);

        var error = Assert.Throws<ImageProcessingException>(() => Preprocessor.DecodeCrop(bytes, PreprocessingSpec.ImageNet, _crop));

        Assert.Equal(ImageErrorCode.UnsupportedFormat, error.Code);
    }

    [Theory]
    [InlineData(0.9)]
    [InlineData(0.5)]
    [InlineData(0.1)]
    public void DecodeCrop_TruncatedJpeg_Truncated(double keep)
    {
        var jpeg = TestImages.Jpeg(300, 200);

        var error = Assert.Throws<ImageProcessingException>(
            () => Preprocessor.DecodeCrop(jpeg.AsSpan(0, (int)(jpeg.Length * keep)), PreprocessingSpec.ImageNet, _crop));

        Assert.Equal(ImageErrorCode.Truncated, error.Code);
    }

    [Theory]
    [InlineData(0.9)]
    [InlineData(0.5)]
    [InlineData(0.1)]
    public void DecodeCrop_TruncatedPng_Truncated(double keep)
    {
        var png = TestImages.Png(300, 200);

        var error = Assert.Throws<ImageProcessingException>(
            () => Preprocessor.DecodeCrop(png.AsSpan(0, (int)(png.Length * keep)), PreprocessingSpec.ImageNet, _crop));

        Assert.Equal(ImageErrorCode.Truncated, error.Code);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF })]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })]
    [InlineData(new byte[] { 0x42, 0x4D })]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 })]
    [InlineData(new byte[] { 0x49, 0x49, 0x2A, 0x00 })] // TIFF: served since ImageSharp reads it
    public void DecodeCrop_SignatureOnly_TypedError(byte[] bytes)
    {
        var error = Assert.Throws<ImageProcessingException>(() => Preprocessor.DecodeCrop(bytes, PreprocessingSpec.ImageNet, _crop));

        Assert.Contains(error.Code, new[] { ImageErrorCode.Truncated, ImageErrorCode.Corrupt });
    }

    [Fact]
    public void DecodeCrop_JpegWithGarbageAfterHeader_TypedError()
    {
        var jpeg = TestImages.Jpeg(64, 64);
        var random = new Random(3);
        random.NextBytes(jpeg.AsSpan(20));

        var error = Assert.Throws<ImageProcessingException>(() => Preprocessor.DecodeCrop(jpeg, PreprocessingSpec.ImageNet, _crop));

        Assert.Contains(error.Code, new[] { ImageErrorCode.Truncated, ImageErrorCode.Corrupt });
    }
}
