using Inference.Preprocessing.Tests.Formats;
using Inference.TestSupport;

namespace Inference.Preprocessing.Tests.Decoding;

/// <summary>
/// 3,200 mutated TIFF (LZW and Deflate), JPEG and PNG inputs (fixed seed) through the ImageSharp decoder: each ends
/// in a typed error or a valid tensor; nothing else escapes the managed decoder.
/// </summary>
public sealed class ImageSharpFuzzTests
{
    private const int CasesPerSource = 800;

    public static TheoryData<string> Sources() => ["jpeg", "png", "rgb_lzw.tif", "rgb_deflate.tif"];

    [Theory]
    [MemberData(nameof(Sources))]
    public void Preprocess_MutatedBytesWithImageSharp_TypedErrorOrFiniteTensor(string source)
    {
        var original = source switch
        {
            "jpeg" => TestImages.Jpeg(96, 72),
            "png" => TestImages.Png(96, 72),
            _ => ReferenceData.Image(source),
        };
        var preprocessor = new ImagePreprocessor(new ImageLimits { MaxPixels = 4_000_000, MaxDimension = 4096 }, ImageDecoderKind.ImageSharp);
        var spec = PreprocessingSpec.ImageNet with { ResizeSize = 64, InputWidth = 56, InputHeight = 56 };
        var tensor = new float[spec.TensorLength];
        var random = new Random(20261203);
        var outcomes = new Dictionary<string, int>();

        for (var i = 0; i < CasesPerSource; i++)
        {
            var mutated = FuzzTests.Mutate(original, random);
            string outcome;
            try
            {
                preprocessor.Preprocess(mutated, spec, tensor);
                Assert.All(tensor, v => Assert.True(float.IsFinite(v) && v > -3 && v < 3));
                outcome = "ok";
            }
            catch (ImageProcessingException e)
            {
                Assert.NotEqual(ImageErrorCode.TooManyBytes, e.Code);
                outcome = e.Code.ToString();
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{source}: {string.Join(", ", outcomes.Select(p => $"{p.Key} {p.Value}"))}");
        Assert.Equal(CasesPerSource, outcomes.Values.Sum());
        Assert.True(outcomes.Count >= 2, "mutations should produce both successes and refusals");
    }
}
