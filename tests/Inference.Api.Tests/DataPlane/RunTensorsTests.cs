using Inference.Api.DataPlane;
using Inference.Api.Tests.Support;
using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.DataPlane;

/// <summary>
/// The data plane over the real engine with a source that writes each image straight into its slot: a fill that fails
/// at image k (images 0..k-1 already queued) fails the request, gives every slot back, and the next request is served.
/// </summary>
[Collection(ServiceTests.Name)]
public sealed class RunTensorsTests(ServiceFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private InferenceDataPlane Plane => service.Factory.Services.GetRequiredService<InferenceDataPlane>();

    private LoadedModel Serving => service.Factory.Services.GetRequiredService<ModelManager>().GetServing(ServiceFactory.Model);

    [Fact]
    public async Task RunTensorsAsync_FillFailsAtImage2_RethrowsReturnsEverySlotAndServesTheNext()
    {
        var model = Plane.Resolve(ServiceFactory.Model);
        var statistics = service.Factory.Services.GetRequiredService<IEngineStatistics>();
        var before = statistics.Snapshot(ServiceFactory.Model);
        var failing = new FailingSource(count: 3, failAt: 2);

        var error = await Assert.ThrowsAsync<InferenceException>(() => Plane.RunTensorsAsync(model, failing, InferenceRequestOptions.Default, Ct));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.Equal("image 2 is bad", error.Message);
        Assert.Equal([0, 1, 2], failing.Filled);
        await WaitForAsync(() => Serving.FreeSlots == Serving.SlotCount, "every slot to come back");
        using var next = await Plane.RunTensorsAsync(model, TensorSource.Of(new float[2 * 3 * 224 * 224], 2), InferenceRequestOptions.Default, Ct);
        Assert.Equal(2, next.Count);
        Assert.Equal(1000, next[1].Logits.Length);
        var after = statistics.Snapshot(ServiceFactory.Model);
        Assert.Equal((before.Success.Count + 1, before.Fail.Count + 1), (after.Success.Count, after.Fail.Count));
    }

    [Fact]
    public async Task RunTensorsAsync_SourceOfTheWrongImageLength_IsInvalidInputAndFillsNothing()
    {
        var model = Plane.Resolve(ServiceFactory.Model);
        var wrong = new FailingSource(count: 2, failAt: -1, perImage: 3 * 224 * 225);

        var error = await Assert.ThrowsAsync<InferenceException>(() => Plane.RunTensorsAsync(model, wrong, InferenceRequestOptions.Default, Ct));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.Contains("got 151200", error.Message, StringComparison.Ordinal);
        Assert.Empty(wrong.Filled);
        Assert.Equal(Serving.SlotCount, Serving.FreeSlots);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        // Not a timing assertion: the limit only stops a hang.
        for (var i = 0; i < 2000 && !condition(); i++)
        {
            await Task.Delay(10, Ct);
        }

        Assert.True(condition(), $"Gave up waiting for {what}.");
    }

    /// <summary>Zeros, in order; image <c>failAt</c> throws as a bad client value would.</summary>
    private sealed class FailingSource(int count, int failAt, int perImage = 3 * 224 * 224) : TensorSource(count, perImage)
    {
        public List<int> Filled { get; } = [];

        public override void Fill(int image, Span<float> slot)
        {
            Filled.Add(image);
            if (image == failAt)
            {
                throw new InferenceException(InferenceErrorCode.InvalidInput, $"image {image} is bad");
            }

            slot.Clear();
        }
    }
}
