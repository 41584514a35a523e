using Inference.TestSupport;

namespace Inference.Preprocessing.Tests.Fidelity;

/// <summary>Every file in <c>shared/fidelity</c> must give torchvision's crop exactly (MAD 0, max difference 0).</summary>
public sealed class FidelityTests
{
    private static readonly ImagePreprocessor Preprocessor = new();

    public static TheoryData<string> Files() => FilesEndingWith(string.Empty);

    /// <summary>The fidelity files whose names end with <paramref name="suffix"/> (one placeholder row without shared data).</summary>
    public static TheoryData<string> FilesEndingWith(string suffix)
    {
        var data = new TheoryData<string>();
        foreach (var name in FidelityManifest.Names().Where(n => n.EndsWith(suffix, StringComparison.Ordinal)))
        {
            data.Add(name);
        }

        if (data.Count == 0)
        {
            data.Add("(shared data absent)");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void DecodeCrop_ExactMode_MatchesTorchvisionCrop(string name) => AssertExact(name, PreprocessingSpec.ImageNet);

    /// <summary>Auto (above) decodes JPEG with the system's libjpeg-turbo where it is installed; Skia alone must match too.</summary>
    [Theory]
    [MemberData(nameof(Files))]
    public void DecodeCrop_SkiaDecoder_MatchesTorchvisionCrop(string name) =>
        AssertExact(name, PreprocessingSpec.ImageNet with { Decoder = ImageDecoderKind.Skia });

    private static void AssertExact(string name, PreprocessingSpec spec)
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        var (encoded, expected, entry) = FidelityManifest.Load(name);
        var crop = new byte[expected.Length];

        var result = Preprocessor.DecodeCrop(encoded, spec, crop);

        var decoded = entry.GetProperty("decoded_size");
        Assert.Equal((decoded[0].GetInt32(), decoded[1].GetInt32()), (result.SourceWidth, result.SourceHeight));
        var (mad, max) = FidelityManifest.Compare(crop, expected);
        TestContext.Current.SendDiagnosticMessage($"{name}: exact MAD {mad:F4}, max {max}");
        Assert.True(mad == 0 && max == 0, $"{name} ({spec.Decoder}): MAD {mad:F4}, max difference {max}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Preprocess_ExactMode_TensorMeanMatchesManifest(string name)
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        var (encoded, _, entry) = FidelityManifest.Load(name);
        var tensor = new float[PreprocessingSpec.ImageNet.TensorLength];

        Preprocessor.Preprocess(encoded, PreprocessingSpec.ImageNet, tensor);

        var mean = tensor.Select(v => (double)v).Average();
        Assert.Equal(entry.GetProperty("normalized_mean").GetDouble(), mean, 1e-5);
    }
}
