using System.Diagnostics.Metrics;
using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Inference.Engine.Tests.Inference;

public sealed class LifecycleTests
{
    [Fact]
    public async Task InferAsync_AfterBeginDrain_ThrowsShuttingDownAndDrainCompletesAcceptedWork()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repository = new TempDirectory();
        TestRepository.AddDemoModel(repository, "m", extraConfig: "\"maxBatchSize\": 1");
        await using var host = TestEngine.Create(repository.Root, SharedDemoWeights.CacheDirectory, ["m"]);
        Assert.Empty(await host.LoadAllAsync());
        Assert.True(host.Manager.AllReady);
        using var rejected = new MetricCollector<long>(
            host.Services.GetRequiredService<IMeterFactory>(), EngineMetrics.MeterName, "inference.requests.rejected");

        // Work accepted before the drain began still completes.
        Task<ResultCopy> running, queued;
        Task drained;
        using (host.HoldCompute())
        {
            running = ResultCopy.Of(host.Engine.InferTensorAsync("m", new float[3 * 224 * 224], InferenceRequestOptions.Default, ct));
            queued = ResultCopy.Of(host.Engine.InferImageAsync("m", TestImages.Jpeg(9), InferenceRequestOptions.Default, ct));
            host.Manager.BeginDrain();

            var image = await Assert.ThrowsAsync<InferenceException>(async () =>
                await host.Engine.InferImageAsync("m", TestImages.Jpeg(1), InferenceRequestOptions.Default, ct));
            var tensor = await Assert.ThrowsAsync<InferenceException>(async () =>
                await host.Engine.InferTensorAsync("m", new float[3 * 224 * 224], InferenceRequestOptions.Default, ct));
            Assert.Equal(InferenceErrorCode.ShuttingDown, image.Code);
            Assert.Equal(InferenceErrorCode.ShuttingDown, tensor.Code);
            Assert.Equal(ModelState.Draining, host.Manager.Find("m")!.State);
            Assert.False(host.Manager.AllReady);
            Assert.Equal(2, rejected.GetMeasurementSnapshot().Count);
            Assert.All(rejected.GetMeasurementSnapshot(), m => Assert.Equal("shutdown", m.Tags["reason"]));

            drained = host.Manager.DrainAsync(TimeSpan.FromMinutes(1));
            Assert.False(drained.IsCompleted);
        }

        await drained.WaitAsync(TimeSpan.FromMinutes(2), ct);
        Assert.Equal(1000, (await running).Logits.Length);
        Assert.Equal(1000, (await queued).Logits.Length);
    }
}
