using Inference.Preprocessing.Buffers;
using Inference.Preprocessing.Decoding;
using Inference.Preprocessing.Tests.Fidelity;
using Inference.Preprocessing.Tests.Formats;
using Inference.TestSupport;
using SkiaSharp;

namespace Inference.Preprocessing.Tests.Decoding;

/// <summary>
/// The system libjpeg-turbo path of <see cref="ImageDecoderKind.Auto"/>: the same pixels as Skia on every real photo,
/// Pillow's on damaged data, and every file it does not take cleanly handed to Skia (the same refusal).
/// </summary>
public sealed unsafe class TurboJpegTests
{
    private const string MissingLibrary =
        "libturbojpeg.so.0 is not installed (Debian: libturbojpeg0; .ci/packages-setup.sh installs it), so Auto decodes JPEG with Skia.";

    private static readonly ImagePreprocessor Preprocessor = new();

    [Theory]
    [MemberData(nameof(FidelityTests.FilesEndingWith), ".jpg", MemberType = typeof(FidelityTests))]
    public void TryDecode_FidelityJpeg_SameBytesAsSkiaOrDeclined(string name)
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        Assert.SkipWhen(TurboJpeg.LibraryName is null, MissingLibrary);
        var (encoded, _, _) = FidelityManifest.Load(name);
        var (width, height, skia) = SkiaPixels(encoded);
        var turbo = new byte[skia.Length];
        using var scratch = new Scratch();

        bool taken;
        fixed (byte* data = encoded)
        fixed (byte* pixels = turbo)
        {
            taken = TurboJpeg.TryDecode(data, encoded.Length, width, height, pixels, width * 4, scratch);
        }

        // CMYK is Skia's (and the CMYK formula's) to decode; every YCbCr and grayscale file is taken.
        Assert.Equal(name != FidelityManifest.CmykFile, taken);
        if (taken)
        {
            Assert.True(skia.AsSpan().SequenceEqual(turbo), $"{name}: the system libjpeg-turbo's pixels differ from Skia's");
        }
    }

    [Theory]
    [InlineData(0.999)]
    [InlineData(0.9)]
    [InlineData(0.3)]
    public void TryDecode_TruncatedJpeg_DeclinedAndAutoReportsTruncated(double keep)
    {
        Assert.SkipWhen(TurboJpeg.LibraryName is null, MissingLibrary);
        var jpeg = TestImages.Jpeg(640, 480, quality: 92);
        var cut = jpeg.AsSpan(0, (int)(jpeg.Length * keep)).ToArray();
        var pixels = new byte[640 * 480 * 4];
        using var scratch = new Scratch();

        bool taken;
        fixed (byte* data = cut)
        fixed (byte* destination = pixels)
        {
            taken = TurboJpeg.TryDecode(data, cut.Length, 640, 480, destination, 640 * 4, scratch);
        }

        Assert.False(taken);
        var error = Assert.Throws<ImageProcessingException>(() => Preprocessor.DecodeCrop(cut, PreprocessingSpec.ImageNet, new byte[224 * 224 * 3]));
        Assert.Equal(ImageErrorCode.Truncated, error.Code);
    }

    /// <summary>
    /// Damaged data that libjpeg-turbo decodes without a warning can still decode differently in Skia, whose copy is
    /// another build. Pillow (the system library) is the reference: <c>Data/damaged.jpg</c> is
    /// <c>TestImages.Jpeg(320, 240, 85, seed: 7)</c> with three bytes overwritten, and its <c>.s64c56.pillow</c> is
    /// <c>tv_crop(Image.open(f).convert("RGB"), "short", 64, 56)</c> from <c>Data/make_reference.py</c> (Pillow 9.4).
    /// </summary>
    [Fact]
    public void DecodeCrop_DamagedJpegSkiaReadsOtherwise_AutoMatchesPillow()
    {
        Assert.SkipWhen(TurboJpeg.LibraryName is null, MissingLibrary);
        var image = ReferenceData.Image("damaged.jpg");
        var pillow = File.ReadAllBytes(Path.Combine(ReferenceData.Folder, "damaged.jpg.s64c56.pillow"));
        var auto = new byte[pillow.Length];
        var skia = new byte[pillow.Length];

        Preprocessor.DecodeCrop(image, ReferenceData.Spec("s64c56"), auto);
        Preprocessor.DecodeCrop(image, ReferenceData.Spec("s64c56") with { Decoder = ImageDecoderKind.Skia }, skia);

        Assert.Equal(0, ReferenceData.Compare(auto, pillow).Max);
        Assert.NotEqual(0, ReferenceData.Compare(skia, pillow).Max);
    }

    /// <summary>Whatever Skia refuses, Auto refuses with the same code and message; what Skia decodes, Auto decodes.</summary>
    [Fact]
    public void DecodeCrop_DamagedJpegs_AutoRefusesExactlyWhatSkiaRefuses()
    {
        Assert.SkipWhen(TurboJpeg.LibraryName is null, MissingLibrary);
        var jpeg = TestImages.Jpeg(320, 240, quality: 85, seed: 7);
        var random = new Random(16);
        var auto = PreprocessingSpec.ImageNet with { Decoder = ImageDecoderKind.Auto };
        var skia = PreprocessingSpec.ImageNet with { Decoder = ImageDecoderKind.Skia };
        var (refused, decoded) = (0, 0);
        for (var i = 0; i < 300; i++)
        {
            var damaged = (byte[])jpeg.Clone();
            for (var k = 0; k < 1 + (i % 4); k++)
            {
                damaged[random.Next(2, damaged.Length)] = (byte)random.Next(256);
            }

            var expected = Outcome(damaged, skia);
            Assert.Equal(expected, Outcome(damaged, auto));
            _ = expected is null ? decoded++ : refused++;
        }

        // The damage reached both outcomes, so both the taken and the handed-over paths were compared.
        Assert.True(refused > 0 && decoded > 0, $"{refused} refused, {decoded} decoded");
    }

    /// <summary>Null when the image decodes, else the refusal's code and message.</summary>
    private static string? Outcome(byte[] encoded, PreprocessingSpec spec)
    {
        try
        {
            Preprocessor.DecodeCrop(encoded, spec, new byte[224 * 224 * 3]);
            return null;
        }
        catch (ImageProcessingException error)
        {
            return $"{error.Code}: {error.Message}";
        }
    }

    private static (int Width, int Height, byte[] Pixels) SkiaPixels(byte[] encoded)
    {
        using var codec = SKCodec.Create(new MemoryStream(encoded));
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var pixels = new byte[info.BytesSize];
        fixed (byte* destination = pixels)
        {
            Assert.Equal(SKCodecResult.Success, codec.GetPixels(info, (nint)destination, info.RowBytes, SKCodecOptions.Default));
        }

        return (info.Width, info.Height, pixels);
    }
}
