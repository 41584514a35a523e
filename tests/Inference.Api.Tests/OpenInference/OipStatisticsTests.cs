using Inference.Api.OpenInference;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Engine.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Inference.Api.Tests.OpenInference;

/// <summary>The engine's totals (its stages and the requests the data plane recorded), as the Open Inference Protocol's model statistics report them.</summary>
public sealed class OipStatisticsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Snapshot_RecordedWork_MapsEachTotalToItsFieldInNanoseconds()
    {
        var (statistics, engine) = Create();
        var model = FakeModels.Ready().Name;
        engine.Preprocessed(model, "1", TimeSpan.FromMilliseconds(3));
        engine.Preprocessed(model, "1", TimeSpan.FromMilliseconds(5));
        engine.Preprocessed(model, "1", TimeSpan.FromMilliseconds(4));
        engine.QueueWaited(model, "1", TimeSpan.FromMilliseconds(1));
        engine.QueueWaited(model, "1", TimeSpan.FromMilliseconds(2));
        engine.QueueWaited(model, "1", TimeSpan.FromMilliseconds(7));
        engine.BatchRan(model, "1", 2, TimeSpan.FromMilliseconds(20));
        engine.BatchRan(model, "1", 1, TimeSpan.FromMilliseconds(12));
        engine.RequestCompleted(model, "1", succeeded: true, images: 1, TimeSpan.FromMilliseconds(40));
        engine.RequestCompleted(model, "1", succeeded: true, images: 1, TimeSpan.FromMilliseconds(30));
        engine.RequestCompleted(model, "1", succeeded: false, images: 1, TimeSpan.FromMilliseconds(2));
        engine.RequestCompleted(model, "1", succeeded: false, images: 1, TimeSpan.FromMilliseconds(9));

        var snapshot = statistics.Snapshot(FakeModels.Ready());

        Assert.Equal((model, "1"), (snapshot.Name, snapshot.Version));
        Assert.Equal((3UL, 2UL), (snapshot.InferenceCount, snapshot.ExecutionCount));
        Assert.Equal((ulong)Now.ToUnixTimeMilliseconds(), snapshot.LastInference);
        var stats = snapshot.InferenceStats;
        Assert.Equal((2UL, 70_000_000UL), (stats.Success.Count, stats.Success.Ns));
        Assert.Equal((2UL, 11_000_000UL), (stats.Fail.Count, stats.Fail.Ns));
        Assert.Equal((3UL, 10_000_000UL), (stats.Queue.Count, stats.Queue.Ns));
        Assert.Equal((3UL, 12_000_000UL), (stats.ComputeInput.Count, stats.ComputeInput.Ns));
        // Each image is charged its whole batch: 2 x 20 ms + 1 x 12 ms.
        Assert.Equal((3UL, 52_000_000UL), (stats.ComputeInfer.Count, stats.ComputeInfer.Ns));
        Assert.Equal(0UL, stats.ComputeOutput.Count);
        Assert.Equal(
            [(1UL, 1UL, 12_000_000UL), (2UL, 1UL, 20_000_000UL)],
            snapshot.BatchStats.Select(b => (b.BatchSize, b.ComputeInfer.Count, b.ComputeInfer.Ns)));
    }

    [Fact]
    public void Snapshot_ModelWithNoWork_IsAllZerosWithEveryDurationPresent()
    {
        var (statistics, engine) = Create();
        engine.BatchRan("another-model", "1", 4, TimeSpan.FromMilliseconds(10));

        var snapshot = statistics.Snapshot(FakeModels.Ready());

        Assert.Equal((0UL, 0UL, 0UL), (snapshot.InferenceCount, snapshot.ExecutionCount, snapshot.LastInference));
        Assert.Empty(snapshot.BatchStats);
        var stats = snapshot.InferenceStats;
        Assert.All([stats.Success, stats.Fail, stats.Queue, stats.ComputeInput, stats.ComputeInfer, stats.ComputeOutput], d => Assert.Equal((0UL, 0UL), (d.Count, d.Ns)));
    }

    private static (OipStatistics Statistics, EngineStatistics Engine) Create()
    {
        var engine = new EngineStatistics(new FakeTimeProvider(Now));
        return (new OipStatistics(engine), engine);
    }
}
