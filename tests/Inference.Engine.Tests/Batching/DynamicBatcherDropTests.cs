using Inference.Engine.Batching;
using Microsoft.Extensions.Time.Testing;

namespace Inference.Engine.Tests.Batching;

public sealed class DynamicBatcherDropTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task TryEnqueue_QueueAtCapacity_ReturnsQueueFullAtOnceNotCountingRunningItems()
    {
        var executor = new RecordingExecutor(hold: true);
        await using var batcher = Create(executor, new() { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero, QueueCapacity = 2 });
        batcher.TryEnqueue(NewItem(1));
        Assert.Equal(1, (await executor.NextBatchAsync()).Single().Id);

        Assert.Equal(EnqueueResult.Accepted, batcher.TryEnqueue(NewItem(2)));
        Assert.Equal(EnqueueResult.Accepted, batcher.TryEnqueue(NewItem(3)));
        var refused = NewItem(4);
        Assert.Equal(EnqueueResult.QueueFull, batcher.TryEnqueue(refused));
        Assert.Equal(2, batcher.QueueDepth);

        executor.ReleaseOne();
        Assert.Equal(2, (await executor.NextBatchAsync()).Single().Id);
        Assert.Equal(EnqueueResult.Accepted, batcher.TryEnqueue(NewItem(5)));
        executor.ReleaseOne();
        Assert.Equal(3, (await executor.NextBatchAsync()).Single().Id);
        executor.ReleaseOne();
        Assert.Equal(5, (await executor.NextBatchAsync()).Single().Id);
        executor.ReleaseOne();
        await batcher.CompleteAsync(CancellationToken.None);

        Assert.Equal(0, refused.Executed + refused.Dropped);
    }

    [Fact]
    public async Task Scheduler_DeadlinePassesWhileQueued_DroppedAtTheDeadlineAndNeverExecuted()
    {
        var executor = new RecordingExecutor(hold: true);
        await using var batcher = Create(executor, new() { MaxBatchSize = 8, MaxQueueDelay = Ms });
        batcher.TryEnqueue(NewItem(1));
        _time.Advance(Ms);
        await executor.NextBatchAsync(); // the only executor is now busy

        var doomed = NewItem(2, deadline: _time.GetUtcNow() + 5 * Ms);
        batcher.TryEnqueue(doomed);
        batcher.TryEnqueue(NewItem(3));
        await Eventually.SettledAsync(batcher);
        _time.Advance(4 * Ms);
        await Eventually.SettledAsync(batcher);
        Assert.False(executor.TryTakeDrop(out _));
        Assert.Equal(2, batcher.QueueDepth);

        _time.Advance(Ms); // the deadline instant: dropped although no executor has freed up
        Assert.Same(doomed, await executor.NextDropAsync());
        Assert.Equal(DropReason.DeadlineExceeded, doomed.DropReason);
        Assert.Equal(1, batcher.QueueDepth);

        executor.ReleaseOne();
        Assert.Equal(3, (await executor.NextBatchAsync()).Single().Id);
        executor.ReleaseOne();
        await batcher.CompleteAsync(CancellationToken.None);
        Assert.Equal(0, doomed.Executed);
        Assert.Equal(1, doomed.Dropped);
    }

    [Fact]
    public async Task Poke_QueuedItemCancelledWhileExecutorsBusy_DroppedWithoutClockAdvance()
    {
        var executor = new RecordingExecutor(hold: true);
        await using var batcher = Create(executor, new() { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.Zero });
        batcher.TryEnqueue(NewItem(1));
        await executor.NextBatchAsync();
        var cancelled = NewItem(2);
        batcher.TryEnqueue(cancelled);
        await Eventually.SettledAsync(batcher);

        cancelled.Cancel();
        batcher.Poke();

        Assert.Same(cancelled, await executor.NextDropAsync());
        Assert.Equal(DropReason.Cancelled, cancelled.DropReason);
        Assert.Equal(0, batcher.QueueDepth);
        executor.ReleaseOne();
        batcher.TryEnqueue(NewItem(3));
        Assert.Equal(3, (await executor.NextBatchAsync()).Single().Id);
        executor.ReleaseOne();
        await batcher.CompleteAsync(CancellationToken.None);
        Assert.Equal(0, cancelled.Executed);
    }

    [Fact]
    public async Task Scheduler_ItemCancelledBeforeItsBatchForms_DroppedAndLeftOutOfTheBatch()
    {
        var executor = new RecordingExecutor();
        await using var batcher = Create(executor, new() { MaxBatchSize = 8, MaxQueueDelay = 10 * Ms });
        var cancelled = NewItem(1);
        batcher.TryEnqueue(cancelled);
        batcher.TryEnqueue(NewItem(2));
        await Eventually.SettledAsync(batcher);

        cancelled.Cancel(); // no Poke: found when the delay elapses
        _time.Advance(10 * Ms);

        Assert.Equal([2], (await executor.NextBatchAsync()).Select(item => item.Id));
        Assert.Same(cancelled, await executor.NextDropAsync());
        Assert.Equal(DropReason.Cancelled, cancelled.DropReason);
        Assert.Equal(0, cancelled.Executed);
    }

    [Fact]
    public async Task TryEnqueue_ItemAlreadyPastDeadline_DroppedNotExecuted()
    {
        var executor = new RecordingExecutor();
        await using var batcher = Create(executor, new() { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.Zero });
        var late = NewItem(1, deadline: _time.GetUtcNow());

        Assert.Equal(EnqueueResult.Accepted, batcher.TryEnqueue(late));

        Assert.Same(late, await executor.NextDropAsync());
        Assert.Equal(DropReason.DeadlineExceeded, late.DropReason);
        Assert.Equal(0, executor.BatchCount);
    }

    private DynamicBatcher<TestItem> Create(RecordingExecutor executor, BatchingOptions options) =>
        new(options, executor, _time, "test");

    private TestItem NewItem(int id, DateTimeOffset? deadline = null) => new(id, _time.GetUtcNow(), deadline);
}
