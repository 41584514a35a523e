namespace Inference.Preprocessing.Tests.Formats;

/// <summary>
/// The ImageSharp decoder on the committed reference set (Pillow 9.4 + torchvision crops): lossless encodings
/// give the reference crop exactly, lossy WebP too (a line-by-line port of libwebp). JPEG does not: ImageSharp's
/// float IDCT differs from libjpeg's integer one by a little (grayscale: MAD 0.016, measured) and its chroma
/// upsampling is not libjpeg's "fancy" triangle filter, which costs about 1 level on average on colour JPEGs
/// (measured: MAD 0.55..1.0, max 17..32 at the scene's sharp colour edges).
/// </summary>
public sealed class ImageSharpReferenceTests
{
    private static readonly ImagePreprocessor ImageSharp = new(ImageLimits.Default, ImageDecoderKind.ImageSharp);
    private static readonly ImagePreprocessor Auto = new();

    public static TheoryData<string, string> LosslessCases() => Select(lossless: true);

    public static TheoryData<string, string> LossyCases() => Select(lossless: false);

    [Theory]
    [MemberData(nameof(LosslessCases))]
    public void DecodeCrop_LosslessWithImageSharp_MatchesPillowExactly(string file, string spec)
    {
        var expected = ReferenceData.Expected(file, spec);
        var crop = new byte[expected.Length];

        ImageSharp.DecodeCrop(ReferenceData.Image(file), ReferenceData.Spec(spec), crop);

        var (mad, max) = ReferenceData.Compare(crop, expected);
        Assert.True(max == 0, $"{file} ({spec}): MAD {mad:F4}, max difference {max}");
    }

    [Theory]
    [MemberData(nameof(LossyCases))]
    public void DecodeCrop_LossyWithImageSharp_CloseToPillow(string file, string spec)
    {
        var expected = ReferenceData.Expected(file, spec);
        var crop = new byte[expected.Length];

        ImageSharp.DecodeCrop(ReferenceData.Image(file), ReferenceData.Spec(spec), crop);

        var (mad, max) = ReferenceData.Compare(crop, expected);
        TestContext.Current.SendDiagnosticMessage($"ImageSharp {file} ({spec}): MAD {mad:F4}, max {max}");
        Assert.True(mad < LossyBound(file), $"{file} ({spec}): MAD {mad:F4}, max difference {max}");
    }

    [Theory]
    [InlineData("rgb_lzw.tif")]
    [InlineData("multipage.tif")]
    public void DecodeCrop_TiffWithAutoDecoder_ServedByImageSharpExactly(string file)
    {
        var expected = ReferenceData.Expected(file, "s64c56");
        var crop = new byte[expected.Length];

        var result = Auto.DecodeCrop(ReferenceData.Image(file), ReferenceData.Short64Crop56, crop);

        Assert.Equal("tiff", result.Format);
        Assert.Equal(expected, crop);
    }

    [Fact]
    public void DecodeCrop_TiffWithSkiaDecoder_UnsupportedFormatNamingTheChoice()
    {
        var spec = ReferenceData.Short64Crop56 with { Decoder = ImageDecoderKind.Skia };

        var error = Assert.Throws<ImageProcessingException>(
            () => Auto.DecodeCrop(ReferenceData.Image("rgb_raw.tif"), spec, new byte[56 * 56 * 3]));

        Assert.Equal(ImageErrorCode.UnsupportedFormat, error.Code);
        Assert.Contains("'skia'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeCrop_SpecChoosesImageSharp_OverridesPreprocessorDefault()
    {
        var skia = new ImagePreprocessor(ImageLimits.Default, ImageDecoderKind.Skia);
        var jpeg = ReferenceData.Image("baseline.jpg");
        var viaSkia = new byte[56 * 56 * 3];
        var viaSpec = new byte[56 * 56 * 3];
        var viaImageSharp = new byte[56 * 56 * 3];

        skia.DecodeCrop(jpeg, ReferenceData.Short64Crop56, viaSkia);
        skia.DecodeCrop(jpeg, ReferenceData.Short64Crop56 with { Decoder = ImageDecoderKind.ImageSharp }, viaSpec);
        ImageSharp.DecodeCrop(jpeg, ReferenceData.Short64Crop56, viaImageSharp);

        Assert.Equal(viaImageSharp, viaSpec);
        Assert.NotEqual(viaSkia, viaSpec); // different IDCTs: the choice really changed the decoder
    }

    [Fact]
    public void DecodeCrop_ExifOrientationOffWithImageSharp_KeepsStoredLayout()
    {
        var tiff = ReferenceData.Image("exif6.tif");
        var crop = new byte[56 * 56 * 3];

        var upright = ImageSharp.DecodeCrop(tiff, ReferenceData.Short64Crop56, crop);
        var stored = ImageSharp.DecodeCrop(tiff, ReferenceData.Short64Crop56 with { ApplyExifOrientation = false }, crop);

        Assert.Equal((90, 112), (upright.SourceWidth, upright.SourceHeight));
        Assert.Equal((112, 90), (stored.SourceWidth, stored.SourceHeight));
    }

    private static double LossyBound(string file) => file switch
    {
        "lossy.webp" => 0.001, // measured 0: ImageSharp ports libwebp's decoder
        "gray.jpg" or "cmyk.jpg" => 0.05, // no subsampled chroma: only the IDCT differs (measured 0.016, 0.019)
        "wide.jpg" => 5, // 24 px high and upscaled 2.7x, which magnifies the chroma difference (measured 4.26)
        _ => 1.5,
    };

    private static TheoryData<string, string> Select(bool lossless)
    {
        var data = new TheoryData<string, string>();
        foreach (var row in ReferenceCropTests.Cases())
        {
            var (file, spec) = row.Data;
            var lossy = file.EndsWith(".jpg", StringComparison.Ordinal) || file.StartsWith("lossy.", StringComparison.Ordinal);
            if (lossy != lossless)
            {
                data.Add(file, spec);
            }
        }

        return data;
    }
}
