using System.Globalization;
using System.Numerics.Tensors;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Tests.Support;
using Inference.TestSupport;
using Inference.TestSupport.Quantization;
using Microsoft.ML.OnnxRuntime;
using TestImages = Inference.Engine.Tests.Support.TestImages;

namespace Inference.Engine.Tests.Wild;

/// <summary>The real pretrained ResNet-18 featurizer served: embed only, equal to ONNX Runtime run directly on ML.NET's two files.</summary>
public sealed class ResNet18FeaturizerTests(ResNet18FeaturizerFixture fixture) : IClassFixture<ResNet18FeaturizerFixture>
{
    private const int Side = 224;

    [Fact]
    public void Load_Featurizer_ServesEmbedOnlyWithFixedBatchOne()
    {
        Assert.Empty(fixture.LoadFailures);
        var model = fixture.Host.Manager.Find(ResNet18FeaturizerFixture.Name)!;

        Assert.Equal(ModelState.Ready, model.State);
        Assert.Equal(["embed"], model.Tasks);
        Assert.Null(model.LogitsOutputName);
        Assert.Equal(0, model.NumClasses);
        Assert.Equal("OriginalInput", model.InputName);
        Assert.Equal([1L, 3, 224, 224], model.InputShape);
        Assert.Equal("Pooling395_Output_0/flattened", model.EmbeddingOutputName);
        Assert.Equal(512, model.EmbeddingDimension);
        Assert.Equal(1, model.MaxBatchSize);
    }

    [Fact]
    public async Task InferImageAsync_ClassifyOnFeatureExtractor_ThrowsOutputNotAvailable()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new InferenceRequestOptions { Outputs = InferenceOutputs.Logits };

        var error = await Assert.ThrowsAsync<InferenceException>(
            async () => await fixture.Host.Engine.InferImageAsync(ResNet18FeaturizerFixture.Name, TestImages.Jpeg(1), options, ct));

        Assert.Equal(InferenceErrorCode.OutputNotAvailable, error.Code);
        Assert.Contains("no classification output", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embed_EachFidelityPhoto_EqualsOrtOnPreprocessThenModelOverTheExactCrop()
    {
        Assert.SkipWhen(SharedData.Fidelity is null, SharedData.MissingReason);
        var ct = TestContext.Current.CancellationToken;
        using var preprocess = new InferenceSession(ResNet18FeaturizerFixture.PreprocessPath);
        using var model = new InferenceSession(ResNet18FeaturizerFixture.ModelPath);
        var photos = Directory.GetFiles(Path.Combine(SharedData.Fidelity!, "images")).Order(StringComparer.Ordinal).ToList();

        foreach (var photo in photos)
        {
            var served = await Embed(photo, ct);
            var crop = File.ReadAllBytes(Path.Combine(SharedData.Fidelity!, "expected", Path.GetFileName(photo) + ".rgb"));
            var direct = RunDirect(preprocess, model, crop);

            Assert.Equal(512, served.Length);
            var scale = direct.Max(MathF.Abs);
            var worst = served.Zip(direct, (a, b) => MathF.Abs(a - b)).Max();
            Assert.True(scale > 0, $"{Path.GetFileName(photo)}: ORT's embedding is all zeros.");
            Assert.True(worst <= 1e-4f * scale, $"{Path.GetFileName(photo)}: max |served - direct| = {worst:G4}, over 1e-4 x max |direct| = {scale:G4}.");
        }
    }

    [Fact]
    public async Task Embed_EachVariant_NearestOriginalByCosineIsItsSource()
    {
        Assert.SkipWhen(SharedData.Fidelity is null, SharedData.MissingReason);
        var ct = TestContext.Current.CancellationToken;
        var originals = new Dictionary<string, float[]>();
        foreach (var photo in Directory.GetFiles(Path.Combine(SharedData.Fidelity!, "images")).Order(StringComparer.Ordinal))
        {
            originals[Path.GetFileName(photo)] = await Embed(photo, ct);
        }

        var report = new List<string>();
        foreach (var (variant, source) in FidelityVariants.Sources.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var embedding = await Embed(Path.Combine(SharedData.Fidelity!, "variants", variant), ct);
            var ranked = originals.Select(o => (Name: o.Key, Cosine: Cosine(embedding, o.Value))).OrderByDescending(o => o.Cosine).ToList();
            report.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"| {variant} | {source} | {ranked.Single(r => r.Name == source).Cosine:F4} | {ranked[1].Name} {ranked[1].Cosine:F4} |"));
            Assert.True(ranked[0].Name == source, $"{variant}: nearest original is {ranked[0].Name} ({ranked[0].Cosine:F4}), not {source}.");
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            "| variant | source | cosine to source | runner-up |\n|---|---|---|---|\n" + string.Join('\n', report));
    }

    private async Task<float[]> Embed(string path, CancellationToken ct)
    {
        var options = new InferenceRequestOptions { Outputs = InferenceOutputs.Embedding };
        var result = await ResultCopy.Of(fixture.Host.Engine.InferImageAsync(ResNet18FeaturizerFixture.Name, File.ReadAllBytes(path), options, ct));
        return result.Embedding;
    }

    /// <summary>ResNetPreprocess.onnx then ResNet18.onnx on an HWC RGB uint8 crop, as ML.NET chains them.</summary>
    private static float[] RunDirect(InferenceSession preprocess, InferenceSession model, byte[] crop)
    {
        const int plane = Side * Side;
        var input = new float[3 * plane];
        for (var i = 0; i < plane; i++)
        {
            input[i] = crop[3 * i];
            input[plane + i] = crop[(3 * i) + 1];
            input[(2 * plane) + i] = crop[(3 * i) + 2];
        }

        using var image = OrtValue.CreateTensorValueFromMemory(input, [1, 3, Side, Side]);
        using var runOptions = new RunOptions();
        using var prepared = preprocess.Run(runOptions, ["OriginalInput"], [image], ["PreprocessedInput"]);
        using var features = model.Run(runOptions, ["Input247"], [prepared[0]], ["Pooling395_Output_0"]);
        return features[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static double Cosine(float[] a, float[] b) => TensorPrimitives.CosineSimilarity(a, b);
}
