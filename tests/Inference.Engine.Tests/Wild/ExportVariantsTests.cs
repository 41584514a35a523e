using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Tests.Support;
using TestImages = Inference.Engine.Tests.Support.TestImages;

namespace Inference.Engine.Tests.Wild;

/// <summary>Export variants served end to end: config.json's preprocessing keys make each match the plain export.</summary>
public sealed class ExportVariantsTests(ExportVariantsFixture fixture) : IClassFixture<ExportVariantsFixture>
{
    [Fact]
    public void LoadAll_Variants_LoadAndTheBrokenOnesFail()
    {
        Assert.Equal([ExportVariantsFixture.LabelsMismatch, ExportVariantsFixture.Spatial], fixture.LoadFailures);
        var keras = fixture.Host.Manager.Find(ExportVariantsFixture.Keras)!;

        Assert.Equal(ModelState.Ready, keras.State);
        Assert.Equal([-1L, 64, 64, 3], keras.InputShape);
        Assert.Equal(["classify", "embed"], keras.Tasks);
    }

    [Theory]
    [InlineData(ExportVariantsFixture.Keras)]
    [InlineData(ExportVariantsFixture.Unfused)]
    public async Task InferImageAsync_Variant_GivesThePlainLogitsAndEmbedding(string variant)
    {
        var ct = TestContext.Current.CancellationToken;
        for (var seed = 0; seed < 3; seed++)
        {
            var image = TestImages.Jpeg(seed);
            var plain = await ResultCopy.Of(fixture.Host.Engine.InferImageAsync(ExportVariantsFixture.Plain, image, InferenceRequestOptions.Default, ct));
            var served = await ResultCopy.Of(fixture.Host.Engine.InferImageAsync(variant, image, InferenceRequestOptions.Default, ct));

            AssertClose(plain.Logits, served.Logits);
            AssertClose(plain.Embedding, served.Embedding);
        }
    }

    [Fact]
    public async Task InferImageAsync_Rank4FeatureExtractor_EmbedsAsPlainAndRefusesClassify()
    {
        var ct = TestContext.Current.CancellationToken;
        var image = TestImages.Jpeg(4);
        var embedOnly = new InferenceRequestOptions { Outputs = InferenceOutputs.Embedding };
        var plain = await ResultCopy.Of(fixture.Host.Engine.InferImageAsync(ExportVariantsFixture.Plain, image, embedOnly, ct));
        var served = await ResultCopy.Of(fixture.Host.Engine.InferImageAsync(ExportVariantsFixture.Features, image, embedOnly, ct));

        var error = await Assert.ThrowsAsync<InferenceException>(async () => await fixture.Host.Engine.InferImageAsync(
            ExportVariantsFixture.Features, image, new InferenceRequestOptions { Outputs = InferenceOutputs.Logits }, ct));

        AssertClose(plain.Embedding, served.Embedding);
        Assert.Equal(InferenceErrorCode.OutputNotAvailable, error.Code);
        Assert.Equal(["embed"], fixture.Host.Manager.Find(ExportVariantsFixture.Features)!.Tasks);
    }

    [Fact]
    public void Load_NoPooledTensor_ClassifiesAndSaysWhyEmbedIsUnavailable()
    {
        var model = fixture.Host.Manager.Find(ExportVariantsFixture.MaxPooled)!;

        Assert.Equal(ModelState.Ready, model.State);
        Assert.Equal(["classify"], model.Tasks);
        Assert.Contains("'embeddingTensor'", model.EmbeddingUnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LabelsCountNotClassCount_FailsNamingFileAndBothCounts()
    {
        var error = fixture.Host.Manager.Find(ExportVariantsFixture.LabelsMismatch)!.Error!;

        Assert.Contains("labels.txt has 3 labels", error, StringComparison.Ordinal);
        Assert.Contains("has 10 classes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SpatialFourDimensionalOutput_FailsNamingFileShapeAndExpectation()
    {
        var error = fixture.Host.Manager.Find(ExportVariantsFixture.Spatial)!.Error!;

        Assert.Contains(Path.Combine(ExportVariantsFixture.Spatial, "model.onnx"), error, StringComparison.Ordinal);
        Assert.Contains("[1, 512, 2, 2]", error, StringComparison.Ordinal);
        Assert.Contains("expected logits [1, classes]", error, StringComparison.Ordinal);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(MathF.Abs);
        var worst = expected.Zip(actual, (e, a) => MathF.Abs(e - a)).Max();
        Assert.True(scale > 0, "The plain model's values are all zero.");
        Assert.True(worst <= 1e-5f * scale, $"max |difference| {worst:G4} is over 1e-5 x max |expected| {scale:G4}.");
    }
}
