using Inference.Engine.Batching;

namespace Inference.Engine.Tests.Batching;

public sealed class DynamicBatcherStressTests
{
    private const int Producers = 4;
    private const int ItemsPerProducer = 500;

    [Fact]
    public async Task TryEnqueue_ConcurrentProducers_EveryItemExecutedOrDroppedExactlyOnce()
    {
        var options = new BatchingOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMilliseconds(1), QueueCapacity = 64, Executors = 2 };
        var oversized = 0;
        var executor = new RecordingExecutor
        {
            OnExecute = (batch, index) =>
            {
                if (batch.Count > options.MaxBatchSize || index is < 0 or >= 2)
                {
                    Interlocked.Increment(ref oversized);
                }

                Thread.SpinWait(200); // a little work so that requests pile up behind busy executors
            },
        };
        var time = TimeProvider.System;
        var batcher = new DynamicBatcher<TestItem>(options, executor, time, "stress");
        var items = new TestItem[Producers * ItemsPerProducer];

        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < ItemsPerProducer; i++)
            {
                var id = (p * ItemsPerProducer) + i;
                DateTimeOffset? deadline = id % 11 == 0 ? time.GetUtcNow().AddSeconds(-1) : null;
                var item = items[id] = new TestItem(id, time.GetUtcNow(), deadline);
                while (batcher.TryEnqueue(item) == EnqueueResult.QueueFull)
                {
                    Thread.Yield();
                }

                if (id % 7 == 0)
                {
                    item.Cancel();
                    batcher.Poke();
                }
            }
        })).ToArray();
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await batcher.CompleteAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await batcher.DisposeAsync();

        Assert.All(items, item => Assert.Equal(1, item.Executed + item.Dropped));
        Assert.All(items.Where(item => item.Id % 11 == 0), item => Assert.Equal(1, item.Dropped));
        Assert.All(items.Where(item => item.Dropped == 1 && item.Id % 11 != 0), item => Assert.Equal(DropReason.Cancelled, item.DropReason));
        Assert.InRange(executor.MaxConcurrentBatches, 1, 2);
        Assert.Equal(0, oversized);
        Assert.Equal(0, batcher.QueueDepth);
        Assert.Equal(0, batcher.InFlight);
    }
}
