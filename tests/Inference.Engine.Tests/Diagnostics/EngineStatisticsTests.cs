using Inference.Engine.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Inference.Engine.Tests.Diagnostics;

public sealed class EngineStatisticsTests
{
    [Fact]
    public async Task BatchRan_FromManyThreads_CountsEveryBatchByItsSize()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        var statistics = new EngineStatistics(time);

        await Task.WhenAll(Enumerable.Range(1, 4).Select(size => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                statistics.BatchRan("m", "1", size, TimeSpan.FromMilliseconds(1));
                statistics.QueueWaited("m", "1", TimeSpan.FromMilliseconds(2));
            }
        }, TestContext.Current.CancellationToken)));

        var snapshot = statistics.Snapshot("m");
        Assert.Equal(2000, snapshot.Executions);
        Assert.Equal(500 * (1 + 2 + 3 + 4), snapshot.Inferences);
        Assert.Equal(TimeSpan.FromMilliseconds(500 * (1 + 2 + 3 + 4)), snapshot.Compute.Total);
        Assert.Equal(new StageTotal(2000, TimeSpan.FromMilliseconds(4000)), snapshot.Queue);
        Assert.Equal([1, 2, 3, 4], snapshot.Batches.Select(b => b.BatchSize));
        Assert.All(snapshot.Batches, b => Assert.Equal((500, TimeSpan.FromMilliseconds(500)), (b.Executions, b.Compute)));
        Assert.Equal(time.GetUtcNow(), snapshot.LastRun);
        Assert.Same(ModelRunStatistics.Empty, statistics.Snapshot("other"));
    }
}
