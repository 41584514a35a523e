using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Tests.Support;

namespace Inference.Engine.Tests.Inference;

[Collection(EngineCollection.Name)]
public sealed class ModelAvailabilityTests(EngineFixture fixture)
{
    [Fact]
    public async Task InferImageAsync_UnknownModel_ThrowsModelNotFoundListingServedModels()
    {
        var error = await Assert.ThrowsAsync<InferenceException>(async () => await fixture.Host.Engine.InferImageAsync(
            "resnet1000", TestImages.Jpeg(1), InferenceRequestOptions.Default, TestContext.Current.CancellationToken));

        Assert.Equal(InferenceErrorCode.ModelNotFound, error.Code);
        Assert.Contains("'resnet1000'", error.Message, StringComparison.Ordinal);
        Assert.Contains(EngineFixture.ModelName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InferTensorAsync_UnknownModel_ThrowsModelNotFound()
    {
        var error = await Assert.ThrowsAsync<InferenceException>(async () => await fixture.Host.Engine.InferTensorAsync(
            "Resnet18", new float[3 * 224 * 224], InferenceRequestOptions.Default, TestContext.Current.CancellationToken));

        Assert.Equal(InferenceErrorCode.ModelNotFound, error.Code);
    }

    [Fact]
    public void LoadAll_BadConfig_ModelFailedWithErrorNamingTheKey()
    {
        var broken = fixture.Host.Manager.Find(EngineFixture.BrokenModelName);

        Assert.Equal([EngineFixture.BrokenModelName], fixture.LoadFailures);
        Assert.NotNull(broken);
        Assert.Equal(ModelState.Failed, broken.State);
        Assert.NotNull(broken.Error);
        Assert.Contains("config.json", broken.Error, StringComparison.Ordinal);
        Assert.Contains("'maxBatchSzie'", broken.Error, StringComparison.Ordinal);
        Assert.Equal(ModelState.Ready, fixture.Host.Manager.Find(EngineFixture.ModelName)!.State);
        Assert.False(fixture.Host.Manager.AllReady);
        Assert.Equal([EngineFixture.ModelName, EngineFixture.BrokenModelName], fixture.Host.Manager.List().Select(m => m.Name));
    }

    [Fact]
    public async Task InferImageAsync_FailedModel_ThrowsModelNotReadyWithTheLoadError()
    {
        var direct = Assert.Throws<InferenceException>(() => fixture.Host.Manager.GetServing(EngineFixture.BrokenModelName));
        var error = await Assert.ThrowsAsync<InferenceException>(async () => await fixture.Host.Engine.InferImageAsync(
            EngineFixture.BrokenModelName, TestImages.Jpeg(1), InferenceRequestOptions.Default, TestContext.Current.CancellationToken));

        Assert.Equal(InferenceErrorCode.ModelNotReady, direct.Code);
        Assert.Equal(InferenceErrorCode.ModelNotReady, error.Code);
        Assert.Contains("failed to load", error.Message, StringComparison.Ordinal);
        Assert.Contains("maxBatchSzie", error.Message, StringComparison.Ordinal);
    }
}
