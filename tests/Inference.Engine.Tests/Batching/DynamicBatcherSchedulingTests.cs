using Inference.Engine.Batching;
using Microsoft.Extensions.Time.Testing;

namespace Inference.Engine.Tests.Batching;

public sealed class DynamicBatcherSchedulingTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task TryEnqueue_MaxBatchSizeArrive_DispatchesFullBatchWithoutWaitingForDelay()
    {
        var executor = new RecordingExecutor();
        await using var batcher = Create(executor, new() { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.FromHours(1) });

        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(EnqueueResult.Accepted, batcher.TryEnqueue(NewItem(i)));
        }

        AssertBatch(await executor.NextBatchAsync(), 1, 2, 3, 4);
    }

    [Fact]
    public async Task TryEnqueue_PartialBatch_DispatchedOnlyOnceOldestHasWaitedMaxQueueDelay()
    {
        var executor = new RecordingExecutor();
        // The fixed delay: adaptive would run a lone first request at once (DynamicBatcherAdaptiveDelayTests).
        await using var batcher = Create(executor, new() { MaxBatchSize = 4, MaxQueueDelay = 10 * Ms, AdaptiveDelay = false });

        batcher.TryEnqueue(NewItem(1));
        await Eventually.SettledAsync(batcher);
        _time.Advance(5 * Ms);
        batcher.TryEnqueue(NewItem(2));
        await Eventually.SettledAsync(batcher);
        _time.Advance(4 * Ms); // 9 ms after the oldest arrival
        await Eventually.SettledAsync(batcher);

        Assert.Equal(2, batcher.QueueDepth);
        Assert.Equal(0, batcher.InFlight);
        Assert.Equal(0, executor.BatchCount);

        _time.Advance(Ms); // exactly 10 ms after the oldest arrival (not 10 ms after the newest)
        AssertBatch(await executor.NextBatchAsync(), 1, 2);
    }

    [Fact]
    public async Task Scheduler_DelayElapsesWhileExecutorBusy_QueuedWorkRunsAsSoonAsExecutorFrees()
    {
        var executor = new RecordingExecutor(hold: true);
        await using var batcher = Create(executor, new() { MaxBatchSize = 8, MaxQueueDelay = 10 * Ms });
        batcher.TryEnqueue(NewItem(1));
        await Eventually.SettledAsync(batcher);
        _time.Advance(10 * Ms);
        AssertBatch(await executor.NextBatchAsync(), 1);

        batcher.TryEnqueue(NewItem(2));
        batcher.TryEnqueue(NewItem(3));
        batcher.TryEnqueue(NewItem(4));
        await Eventually.SettledAsync(batcher);
        _time.Advance(10 * Ms); // their delay elapses while the only executor is busy
        await Eventually.SettledAsync(batcher);
        Assert.Equal(3, batcher.QueueDepth);
        Assert.Equal(1, batcher.InFlight);

        executor.ReleaseOne(); // no clock advance from here on
        AssertBatch(await executor.NextBatchAsync(), 2, 3, 4);
        executor.ReleaseOne();
    }

    [Fact]
    public async Task Scheduler_ItemsArriveWhileExecutorBusy_AccumulateIntoFullBatchThenRemainderWaitsItsDelay()
    {
        var executor = new RecordingExecutor(hold: true);
        await using var batcher = Create(executor, new() { MaxBatchSize = 4, MaxQueueDelay = 10 * Ms });
        batcher.TryEnqueue(NewItem(1));
        _time.Advance(10 * Ms);
        AssertBatch(await executor.NextBatchAsync(), 1);

        for (var i = 2; i <= 7; i++)
        {
            batcher.TryEnqueue(NewItem(i));
        }

        await Eventually.SettledAsync(batcher);
        Assert.Equal(6, batcher.QueueDepth);

        executor.ReleaseOne();
        AssertBatch(await executor.NextBatchAsync(), 2, 3, 4, 5);
        executor.ReleaseOne();
        await Eventually.UntilAsync(() => batcher.InFlight == 0, "the full batch finished");
        await Eventually.SettledAsync(batcher);
        Assert.Equal(2, batcher.QueueDepth); // 6 and 7 arrived at +10 ms; their delay has not elapsed yet

        _time.Advance(10 * Ms);
        AssertBatch(await executor.NextBatchAsync(), 6, 7);
        executor.ReleaseOne();
    }

    [Fact]
    public async Task Scheduler_TwoExecutors_RunTwoBatchesConcurrentlyButNeverMore()
    {
        var executor = new RecordingExecutor(hold: true);
        await using var batcher = Create(
            executor, new() { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero, Executors = 2 }, name: "resnet");

        for (var i = 1; i <= 3; i++)
        {
            batcher.TryEnqueue(NewItem(i));
        }

        var first = await executor.NextBatchAsync();
        var second = await executor.NextBatchAsync();
        await Eventually.SettledAsync(batcher);
        Assert.Equal(new[] { 1, 2 }, Ids([.. first, .. second]).Order());
        Assert.Equal(1, batcher.QueueDepth);
        Assert.Equal(2, batcher.InFlight);

        executor.ReleaseOne();
        AssertBatch(await executor.NextBatchAsync(), 3);
        executor.ReleaseOne();
        executor.ReleaseOne();
        await batcher.CompleteAsync(CancellationToken.None);

        Assert.Equal(2, executor.MaxConcurrentBatches);
        Assert.Subset(new HashSet<string> { "resnet-exec-0", "resnet-exec-1" }, executor.ThreadNames.ToHashSet());
    }

    [Fact]
    public async Task Execute_Throws_ExecutorThreadKeepsRunningLaterBatches()
    {
        var executor = new RecordingExecutor
        {
            OnExecute = (batch, _) =>
            {
                if (batch[0].Id == 1)
                {
                    throw new InvalidOperationException("boom");
                }
            },
        };
        await using var batcher = Create(executor, new() { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero });

        batcher.TryEnqueue(NewItem(1));
        AssertBatch(await executor.NextBatchAsync(), 1);
        await Eventually.UntilAsync(() => batcher.ExecutorFaults == 1, "the fault was counted");
        batcher.TryEnqueue(NewItem(2));

        AssertBatch(await executor.NextBatchAsync(), 2);
        Assert.False(executor.TryTakeDrop(out _));
    }

    private DynamicBatcher<TestItem> Create(RecordingExecutor executor, BatchingOptions options, string name = "test") =>
        new(options, executor, _time, name);

    private TestItem NewItem(int id) => new(id, _time.GetUtcNow());

    private static void AssertBatch(TestItem[] batch, params int[] expectedIds) => Assert.Equal(expectedIds, Ids(batch));

    private static int[] Ids(IEnumerable<TestItem> batch) => [.. batch.Select(item => item.Id)];
}
