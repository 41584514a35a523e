using Inference.Onnx.ResNet;
using Inference.Preprocessing;
using Inference.TestSupport;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Tests.Inference;

/// <summary>
/// resnet50 with the service's demo weights (the seeded builder, seed 42, as <c>models/resnet50</c> generates them) on
/// every shared/fidelity file, preprocessed once with each decoder: where the crops are identical the top-5 are too,
/// and on the JPEGs (where ImageSharp's IDCT and chroma upsampling differ) the top-5 classes still agree.
/// </summary>
public sealed class DecoderAgreementTests
{
    private const int Side = 224;

    [Fact]
    public void Resnet50_SkiaVersusImageSharpCrops_SameTop5Classes()
    {
        Assert.SkipWhen(SharedData.Fidelity is null, SharedData.MissingReason);
        var files = new[] { "images", "variants" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(SharedData.Fidelity!, folder)))
            .Order(StringComparer.Ordinal)
            .ToList();
        var skia = new ImagePreprocessor(ImageLimits.Default, ImageDecoderKind.Skia);
        var imageSharp = new ImagePreprocessor(ImageLimits.Default, ImageDecoderKind.ImageSharp);
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(TestModels.GetResNet(new ResNetSpec(50) { Seed = 42 }), options);
        var output = TestContext.Current.TestOutputHelper;
        int sameTop1 = 0, sameTop5Set = 0, sameTop5Order = 0, identicalCrops = 0;

        foreach (var file in files)
        {
            var batch = new float[2 * 3 * Side * Side];
            var encoded = File.ReadAllBytes(file);
            skia.Preprocess(encoded, PreprocessingSpec.ImageNet, batch.AsSpan(0, 3 * Side * Side));
            imageSharp.Preprocess(encoded, PreprocessingSpec.ImageNet, batch.AsSpan(3 * Side * Side));
            var identical = batch.AsSpan(0, 3 * Side * Side).SequenceEqual(batch.AsSpan(3 * Side * Side));

            var (fromSkia, fromImageSharp) = Top5(session, batch);

            identicalCrops += identical ? 1 : 0;
            sameTop1 += fromSkia[0] == fromImageSharp[0] ? 1 : 0;
            sameTop5Set += fromSkia.Order().SequenceEqual(fromImageSharp.Order()) ? 1 : 0;
            sameTop5Order += fromSkia.SequenceEqual(fromImageSharp) ? 1 : 0;
            output?.WriteLine($"{Path.GetFileName(file)}: skia [{string.Join(",", fromSkia)}] imagesharp [{string.Join(",", fromImageSharp)}]{(identical ? " (identical crops)" : "")}");
            if (identical)
            {
                Assert.Equal(fromSkia, fromImageSharp);
            }
        }

        output?.WriteLine($"{files.Count} files, {identicalCrops} identical crops: top-1 agree {sameTop1}, top-5 set agree {sameTop5Set}, top-5 order agree {sameTop5Order}");
        Assert.True(files.Count >= 30, $"only {files.Count} fidelity files");
        Assert.Equal(files.Count, sameTop5Set);
    }

    private static (int[] First, int[] Second) Top5(InferenceSession session, float[] batch)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(batch, [2, 3, Side, Side]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["input"], [input], ["logits"]);
        var logits = results[0].GetTensorDataAsSpan<float>();
        var classes = logits.Length / 2;
        return (TopIndices(logits[..classes].ToArray()), TopIndices(logits[classes..].ToArray()));
    }

    private static int[] TopIndices(float[] logits) =>
        [.. Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(5)];
}
