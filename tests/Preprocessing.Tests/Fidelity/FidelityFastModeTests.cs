using Inference.TestSupport;

namespace Inference.Preprocessing.Tests.Fidelity;

/// <summary>Fast mode on every fidelity file: its MAD against torchvision's crop (reported, and at most 0.5).</summary>
public sealed class FidelityFastModeTests
{
    private static readonly ImagePreprocessor Preprocessor = new();

    [Theory]
    [MemberData(nameof(FidelityTests.Files), MemberType = typeof(FidelityTests))]
    public void DecodeCrop_FastMode_WithinHalfAPixelLevel(string name)
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        var (encoded, expected, _) = FidelityManifest.Load(name);
        var crop = new byte[expected.Length];

        Preprocessor.DecodeCrop(encoded, PreprocessingSpec.ImageNet with { Mode = DecodeMode.Fast }, crop);

        var (mad, max) = FidelityManifest.Compare(crop, expected);
        TestContext.Current.SendDiagnosticMessage($"{name}: fast MAD {mad:F4}, max {max}");
        Assert.True(mad <= 0.5, $"{name}: fast-mode MAD {mad:F4}");
    }
}
