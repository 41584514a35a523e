using Inference.Engine.Batching;
using Microsoft.Extensions.Time.Testing;

namespace Inference.Engine.Tests.Batching;

/// <summary>The adaptive delay end to end on a fake clock: the loop feeds the policy its executors and arrival rate.</summary>
public sealed class DynamicBatcherAdaptiveDelayTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task TryEnqueue_FirstRequest_WaitsTheDelayWhileTheRateIsUnknown()
    {
        var executor = new RecordingExecutor();
        await using var batcher = Create(executor, new() { MaxBatchSize = 8, MaxQueueDelay = 10 * Ms });

        batcher.TryEnqueue(NewItem(1));
        await Eventually.SettledAsync(batcher);
        Assert.Equal(0, executor.BatchCount);

        _time.Advance(10 * Ms);
        AssertBatch(await executor.NextBatchAsync(), 1);
    }

    [Fact]
    public async Task TryEnqueue_ArrivalsSparserThanTheDelay_RunAtOnceOnAnIdleBatcher()
    {
        var executor = new RecordingExecutor();
        await using var batcher = Create(executor, new() { MaxBatchSize = 8, MaxQueueDelay = 10 * Ms });
        batcher.TryEnqueue(NewItem(1));
        await Eventually.SettledAsync(batcher);
        _time.Advance(10 * Ms);
        AssertBatch(await executor.NextBatchAsync(), 1);
        await Eventually.UntilAsync(() => batcher.InFlight == 0, "the first batch finished");

        _time.Advance(40 * Ms);
        batcher.TryEnqueue(NewItem(2)); // 50 ms after the first: none expected within 10 ms; the clock stays put

        AssertBatch(await executor.NextBatchAsync(), 2);
    }

    [Fact]
    public async Task TryEnqueue_ArrivalsEveryMillisecond_WaitForTheDelayToFillTheBatch()
    {
        var executor = new RecordingExecutor();
        await using var batcher = Create(executor, new() { MaxBatchSize = 8, MaxQueueDelay = 10 * Ms });
        batcher.TryEnqueue(NewItem(1));
        await Eventually.SettledAsync(batcher);
        _time.Advance(10 * Ms);
        AssertBatch(await executor.NextBatchAsync(), 1);
        await Eventually.UntilAsync(() => batcher.InFlight == 0, "the first batch finished");

        batcher.TryEnqueue(NewItem(2));
        _time.Advance(Ms);
        batcher.TryEnqueue(NewItem(3)); // 1 ms apart: the mean falls under the 10 ms delay, so the next is expected
        _time.Advance(Ms);
        batcher.TryEnqueue(NewItem(4));
        await Eventually.SettledAsync(batcher);
        Assert.Equal(3, batcher.QueueDepth);
        Assert.Equal(1, executor.BatchCount);

        _time.Advance(8 * Ms); // 10 ms after item 2
        AssertBatch(await executor.NextBatchAsync(), 2, 3, 4);
    }

    [Fact]
    public async Task TryEnqueue_AnotherRequestInFlight_WaitsUntilItFinishesThenRunsAtOnce()
    {
        var executor = new RecordingExecutor(hold: true);
        await using var batcher = Create(executor, new() { MaxBatchSize = 8, MaxQueueDelay = 10 * Ms, Executors = 2 });
        batcher.TryEnqueue(NewItem(1));
        await Eventually.SettledAsync(batcher);
        _time.Advance(10 * Ms);
        AssertBatch(await executor.NextBatchAsync(), 1);

        _time.Advance(40 * Ms);
        batcher.TryEnqueue(NewItem(2)); // sparse arrivals and a free executor, but item 1 is still running
        await Eventually.SettledAsync(batcher);
        Assert.Equal(1, batcher.QueueDepth);

        executor.ReleaseOne(); // nothing in flight any more: item 2 goes without the clock moving
        AssertBatch(await executor.NextBatchAsync(), 2);
        executor.ReleaseOne();
    }

    [Fact]
    public async Task TryEnqueue_AdaptiveDelayOff_LoneRequestWaitsTheDelay()
    {
        var executor = new RecordingExecutor();
        await using var batcher = Create(executor, new() { MaxBatchSize = 8, MaxQueueDelay = 10 * Ms, AdaptiveDelay = false });

        batcher.TryEnqueue(NewItem(1));
        await Eventually.SettledAsync(batcher);
        Assert.Equal(0, executor.BatchCount);

        _time.Advance(10 * Ms);
        AssertBatch(await executor.NextBatchAsync(), 1);
    }

    private DynamicBatcher<TestItem> Create(RecordingExecutor executor, BatchingOptions options) =>
        new(options, executor, _time, "adaptive");

    private TestItem NewItem(int id) => new(id, _time.GetUtcNow());

    private static void AssertBatch(TestItem[] batch, params int[] expectedIds) =>
        Assert.Equal(expectedIds, batch.Select(item => item.Id));
}
