using System.Buffers.Binary;
using Inference.Preprocessing.Tests.Formats;
using Inference.TestSupport;

namespace Inference.Preprocessing.Tests.Decoding;

/// <summary>
/// The hostile corpus (truncated files, header bombs, random bytes behind every signature) through the ImageSharp
/// decoder: each ends in a typed <see cref="ImageProcessingException"/> whose code the API answers with 400 (413 only
/// for too many bytes), as on the Skia path.
/// </summary>
public sealed class ImageSharpHostileTests
{
    private static readonly ImagePreprocessor Preprocessor = new(ImageLimits.Default, ImageDecoderKind.ImageSharp);
    private static readonly PreprocessingSpec Spec = ReferenceData.Short64Crop56;
    private readonly byte[] _crop = new byte[56 * 56 * 3];

    public static TheoryData<string, double> Truncations()
    {
        var data = new TheoryData<string, double>();
        foreach (var file in new[] { "jpeg", "png", "rgb_lzw.tif", "rgb_raw.tif", "plain.bmp", "palette.gif", "lossless.webp" })
        {
            foreach (var keep in new[] { 0.9, 0.5, 0.1 })
            {
                data.Add(file, keep);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Truncations))]
    public void DecodeCrop_Truncated_TruncatedOrCorrupt(string file, double keep)
    {
        var bytes = Source(file);

        var error = Assert.Throws<ImageProcessingException>(
            () => Preprocessor.DecodeCrop(bytes.AsSpan(0, (int)(bytes.Length * keep)), Spec, _crop));

        Assert.Contains(error.Code, new[] { ImageErrorCode.Truncated, ImageErrorCode.Corrupt });
    }

    [Theory]
    [InlineData("jpeg")]
    [InlineData("png")]
    [InlineData("tiff")]
    [InlineData("gif")]
    [InlineData("bmp")]
    public void DecodeCrop_HeaderDeclares30000Square_DimensionTooLargeBeforeDecoding(string format)
    {
        var error = Assert.Throws<ImageProcessingException>(() => Preprocessor.DecodeCrop(Bomb(format, 30000), Spec, _crop));

        Assert.Equal(ImageErrorCode.DimensionTooLarge, error.Code);
        Assert.Contains("30000x30000", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jpeg")]
    [InlineData("png")]
    [InlineData("tiff")]
    [InlineData("gif")]
    [InlineData("bmp")]
    public void DecodeCrop_HeaderDeclares30000Square_TooManyPixelsWithoutAllocatingThem(string format)
    {
        var preprocessor = new ImagePreprocessor(new ImageLimits { MaxDimension = 65535 }, ImageDecoderKind.ImageSharp);
        var bomb = Bomb(format, 30000);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<ImageProcessingException>(() => preprocessor.DecodeCrop(bomb, Spec, _crop));

        Assert.Equal(ImageErrorCode.TooManyPixels, error.Code);
        Assert.Contains("MaxPixels", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 * 1024 * 1024, "2.7 GB of pixels were not allocated");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF })]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 })]
    [InlineData(new byte[] { 0x42, 0x4D })]
    [InlineData(new byte[] { 0x49, 0x49, 0x2A, 0x00 })]
    [InlineData(new byte[] { 0x4D, 0x4D, 0x00, 0x2A })]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 0x00, 0x10, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50 })]
    public void DecodeCrop_SignatureThenRandomBytes_TypedBadRequest(byte[] signature)
    {
        var random = new Random(signature[0] + signature.Length);
        for (var round = 0; round < 20; round++)
        {
            var bytes = new byte[signature.Length + random.Next(0, 4096)];
            random.NextBytes(bytes);
            signature.CopyTo(bytes, 0);

            var error = Assert.Throws<ImageProcessingException>(() => Preprocessor.DecodeCrop(bytes, Spec, _crop));

            Assert.NotEqual(ImageErrorCode.TooManyBytes, error.Code);
        }
    }

    [Fact]
    public void DecodeCrop_RandomBytes_UnsupportedFormat()
    {
        var bytes = new byte[1000];
        new Random(5).NextBytes(bytes);
        bytes[0] = 0;

        var error = Assert.Throws<ImageProcessingException>(() => Preprocessor.DecodeCrop(bytes, Spec, _crop));

        Assert.Equal(ImageErrorCode.UnsupportedFormat, error.Code);
    }

    [Fact]
    public void DecodeCrop_ZeroBytes_Empty()
    {
        var error = Assert.Throws<ImageProcessingException>(() => Preprocessor.DecodeCrop([], Spec, _crop));

        Assert.Equal(ImageErrorCode.Empty, error.Code);
    }

    private static byte[] Source(string file) => file switch
    {
        "jpeg" => TestImages.Jpeg(300, 200),
        "png" => TestImages.Png(300, 200),
        _ => ReferenceData.Image(file),
    };

    /// <summary>A small valid image of <paramref name="format"/> whose header declares <paramref name="side"/> squared.</summary>
    private static byte[] Bomb(string format, int side)
    {
        switch (format)
        {
            case "jpeg":
                return TestImages.JpegWithDeclaredSize(side, side);
            case "png":
                var png = TestImages.Png(16, 16);
                BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), side);
                BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), side);
                BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
                return png;
            case "gif":
                var gif = ReferenceData.Image("palette.gif");
                BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(6), (ushort)side);
                BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(8), (ushort)side);
                return gif;
            case "bmp":
                var bmp = ReferenceData.Image("plain.bmp");
                BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), side);
                BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), side);
                return bmp;
            default:
                var tiff = ReferenceData.Image("rgb_raw.tif");
                var ifd = (int)BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan(4));
                for (var i = 0; i < BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(ifd)); i++)
                {
                    var entry = tiff.AsSpan(ifd + 2 + (12 * i), 12);
                    if (BinaryPrimitives.ReadUInt16LittleEndian(entry) is 256 or 257)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], 4); // LONG
                        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], 1);
                        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)side);
                    }
                }

                return tiff;
        }
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
