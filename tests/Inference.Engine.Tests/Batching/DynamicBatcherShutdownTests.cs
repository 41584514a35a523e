using Inference.Engine.Batching;
using Microsoft.Extensions.Time.Testing;

namespace Inference.Engine.Tests.Batching;

public sealed class DynamicBatcherShutdownTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task CompleteAsync_WorkQueuedAndRunning_RunsAllOfItWithoutWaitingForTheDelay()
    {
        var executor = new RecordingExecutor(hold: true);
        await using var batcher = Create(executor, new() { MaxBatchSize = 2, MaxQueueDelay = TimeSpan.FromHours(1) });
        var items = Enumerable.Range(1, 5).Select(NewItem).ToArray();
        batcher.TryEnqueue(items[0]);
        batcher.TryEnqueue(items[1]);
        Assert.Equal([1, 2], (await executor.NextBatchAsync()).Select(item => item.Id));
        batcher.TryEnqueue(items[2]);
        batcher.TryEnqueue(items[3]);
        batcher.TryEnqueue(items[4]);

        var completion = batcher.CompleteAsync(CancellationToken.None);
        await Eventually.SettledAsync(batcher);
        Assert.False(completion.IsCompleted);

        executor.ReleaseOne();
        Assert.Equal([3, 4], (await executor.NextBatchAsync()).Select(item => item.Id));
        executor.ReleaseOne();
        Assert.Equal([5], (await executor.NextBatchAsync()).Select(item => item.Id));
        executor.ReleaseOne();
        await completion.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.All(items, item => Assert.Equal((1, 0), (item.Executed, item.Dropped)));
        Assert.Equal(0, batcher.QueueDepth);
        Assert.Equal(0, batcher.InFlight);
    }

    [Fact]
    public async Task CompleteAsync_TokenFires_DropsQueuedWithShuttingDownAndWaitsForRunningBatch()
    {
        var executor = new RecordingExecutor(hold: true);
        await using var batcher = Create(executor, new() { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero });
        var running = NewItem(1);
        batcher.TryEnqueue(running);
        await executor.NextBatchAsync();
        var queued = new[] { NewItem(2), NewItem(3) };
        batcher.TryEnqueue(queued[0]);
        batcher.TryEnqueue(queued[1]);
        using var cts = new CancellationTokenSource();

        var completion = batcher.CompleteAsync(cts.Token);
        await cts.CancelAsync();

        var dropped = new[] { await executor.NextDropAsync(), await executor.NextDropAsync() };
        Assert.Equal(queued.ToHashSet(), dropped.ToHashSet());
        Assert.All(queued, item => Assert.Equal(DropReason.ShuttingDown, item.DropReason));
        await Eventually.SettledAsync(batcher);
        Assert.False(completion.IsCompleted); // the running batch still holds its executor

        executor.ReleaseOne();
        await completion.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(1, running.Executed);
        Assert.All(queued, item => Assert.Equal(0, item.Executed));
        Assert.Equal(1, executor.BatchCount);
    }

    [Fact]
    public async Task TryEnqueue_AfterCompletion_ReturnsShuttingDown()
    {
        var executor = new RecordingExecutor();
        await using var batcher = Create(executor, new());
        await batcher.CompleteAsync(CancellationToken.None);
        var item = NewItem(1);

        Assert.Equal(EnqueueResult.ShuttingDown, batcher.TryEnqueue(item));
        Assert.Equal(0, item.Executed + item.Dropped);
        Assert.Equal(0, batcher.QueueDepth);
    }

    [Fact]
    public async Task DisposeAsync_ItemsStillWaiting_DroppedWithShuttingDown()
    {
        var executor = new RecordingExecutor();
        var batcher = Create(executor, new() { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromHours(1) });
        var items = new[] { NewItem(1), NewItem(2) };
        batcher.TryEnqueue(items[0]);
        batcher.TryEnqueue(items[1]);

        await batcher.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await batcher.DisposeAsync(); // idempotent

        Assert.All(items, item => Assert.Equal((0, 1, DropReason.ShuttingDown), (item.Executed, item.Dropped, item.DropReason)));
        Assert.Equal(EnqueueResult.ShuttingDown, batcher.TryEnqueue(NewItem(3)));
    }

    [Theory]
    [InlineData(0, 0, 1, 1)]
    [InlineData(1, -1, 1, 1)]
    [InlineData(1, 0, 0, 1)]
    [InlineData(1, 0, 1, 0)]
    public void Ctor_InvalidOptions_ThrowsNamingTheSetting(int maxBatchSize, int delayMs, int capacity, int executors)
    {
        var options = new BatchingOptions
        {
            MaxBatchSize = maxBatchSize,
            MaxQueueDelay = TimeSpan.FromMilliseconds(delayMs),
            QueueCapacity = capacity,
            Executors = executors,
        };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Create(new RecordingExecutor(), options));

        Assert.Contains("BatchingOptions.", ex.Message, StringComparison.Ordinal);
    }

    private DynamicBatcher<TestItem> Create(RecordingExecutor executor, BatchingOptions options) =>
        new(options, executor, _time, "test");

    private TestItem NewItem(int id) => new(id, _time.GetUtcNow());
}
