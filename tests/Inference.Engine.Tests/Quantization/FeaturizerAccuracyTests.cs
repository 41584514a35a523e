using System.Globalization;
using System.Numerics.Tensors;
using Inference.Engine.Inference;
using Inference.Engine.Quantization;
using Inference.Engine.Tests.Support;
using Inference.Engine.Tests.Wild;
using Inference.TestSupport;
using Inference.TestSupport.Quantization;

namespace Inference.Engine.Tests.Quantization;

/// <summary>
/// Accuracy on real weights: ML.NET's ImageNet-pretrained ResNet-18 featurizer, served FP32 and quantized to INT8
/// (BatchNormalization folded, calibrated on <see cref="SyntheticPhotos"/>, disjoint from the evaluation photos),
/// both through the engine with the package's preprocessing graph composed in front.
/// </summary>
public sealed class FeaturizerAccuracyTests
{
    private const string Fp32 = ResNet18FeaturizerFixture.Name;
    private const string Int8 = Fp32 + "-int8";

    /// <summary>Calibration images (seeded synthetic scenes).</summary>
    private const int CalibrationImages = 32;

    [Fact]
    public async Task Quantize_RealResNet18Featurizer_Int8EmbeddingsTrackFp32AndVariantsRetrieveTheirSource()
    {
        Assert.SkipWhen(SharedData.Fidelity is null, SharedData.MissingReason);
        Assert.SkipWhen(
            !File.Exists(ResNet18FeaturizerFixture.ModelPath),
            $"The NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 is not restored ({ResNet18FeaturizerFixture.ModelPath} is absent).");
        var ct = TestContext.Current.CancellationToken;
        using var repository = new TempDirectory("int8-featurizer-");
        using var cache = new TempDirectory("engine-tests-cache-");
        var folder = Directory.CreateDirectory(repository.PathOf(Fp32)).FullName;
        File.Copy(Path.Combine(SharedData.RepositoryRoot, "models", Fp32, "config.json"), Path.Combine(folder, "config.json"));
        File.Copy(ResNet18FeaturizerFixture.ModelPath, Path.Combine(folder, "model.onnx"));
        File.Copy(ResNet18FeaturizerFixture.PreprocessPath, Path.Combine(folder, "ResNetPreprocess.onnx"));
        var calibration = SyntheticPhotos.Write(repository.PathOf("calibration"), CalibrationImages);

        var (result, _) = RepositoryQuantizer.Quantize(
            repository.Root, Fp32, Int8, new QuantizationSettings { CalibrationFolder = calibration, IntraOpThreads = 2 });

        Assert.Equal(CalibrationImages, result.Images);
        Assert.Equal(22, result.FoldedBatchNorms);
        await using var engine = TestEngine.Create(repository.Root, cache.Root, [Fp32, Int8]);
        Assert.Empty(await engine.LoadAllAsync());
        Assert.Equal("int8", engine.Manager.Find(Int8)!.Precision);

        var originals = new Dictionary<string, float[]>();
        var cosines = new List<(string Name, double Cosine)>();
        foreach (var photo in Directory.GetFiles(Path.Combine(SharedData.Fidelity!, "images")).Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(photo);
            var quantized = await Embed(engine, Int8, bytes, ct);
            originals[Path.GetFileName(photo)] = quantized;
            var reference = await Embed(engine, Fp32, bytes, ct);
            cosines.Add((Path.GetFileName(photo), TensorPrimitives.CosineSimilarity(quantized, reference)));
        }

        var misses = new List<string>();
        foreach (var (variant, source) in FidelityVariants.Sources.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(Path.Combine(SharedData.Fidelity!, "variants", variant));
            var quantized = await Embed(engine, Int8, bytes, ct);
            var reference = await Embed(engine, Fp32, bytes, ct);
            cosines.Add((variant, TensorPrimitives.CosineSimilarity(quantized, reference)));
            var nearest = originals.MaxBy(o => TensorPrimitives.CosineSimilarity(quantized, o.Value)).Key;
            if (nearest != source)
            {
                misses.Add($"{variant} -> {nearest} (not {source})");
            }
        }

        var mean = cosines.Average(c => c.Cosine);
        var worst = cosines.MinBy(c => c.Cosine);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"INT8 vs FP32 embedding cosine over {cosines.Count} images: mean {mean:F5}, min {worst.Cosine:F5} ({worst.Name}); " +
            $"variants retrieving their source: {FidelityVariants.Sources.Count - misses.Count}/{FidelityVariants.Sources.Count}"));
        Assert.Equal(33, cosines.Count);
        Assert.True(mean >= 0.99, string.Create(CultureInfo.InvariantCulture, $"mean cosine {mean:F5} < 0.99 (min {worst.Cosine:F5}, {worst.Name})."));
        Assert.Empty(misses);
    }

    private static async Task<float[]> Embed(TestEngine engine, string model, byte[] image, CancellationToken ct)
    {
        var options = new InferenceRequestOptions { Outputs = InferenceOutputs.Embedding };
        return (await ResultCopy.Of(engine.Engine.InferImageAsync(model, image, options, ct))).Embedding;
    }
}
