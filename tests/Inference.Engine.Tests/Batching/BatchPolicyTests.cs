using Inference.Engine.Batching;

namespace Inference.Engine.Tests.Batching;

public sealed class BatchPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly BatchingOptions Options = new() { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.FromMilliseconds(5) };

    [Fact]
    public void Decide_EmptyQueue_Idle()
    {
        var drops = new List<BatchDrop>();

        var decision = BatchPolicy.Decide(Array.Empty<TestItem>(), T0, Options, drops);

        Assert.Equal(BatchAction.Idle, decision.Action);
        Assert.Empty(drops);
    }

    [Fact]
    public void Decide_PartialBatchBeforeDelay_WaitsUntilOldestArrivalPlusDelay()
    {
        TestItem[] queue = [Item(0, 0), Item(1, 1), Item(2, 3)];

        var decision = BatchPolicy.Decide(queue, T0.AddMilliseconds(4), Options, new List<BatchDrop>());

        Assert.Equal(BatchAction.Wait, decision.Action);
        Assert.Equal(T0.AddMilliseconds(5), decision.WakeAt);
    }

    [Fact]
    public void Decide_PartialBatchAtExactlyTheDelay_DispatchesAllLiveItems()
    {
        TestItem[] queue = [Item(0, 0), Item(1, 2), Item(2, 4)];

        var decision = BatchPolicy.Decide(queue, T0.AddMilliseconds(5), Options, new List<BatchDrop>());

        Assert.Equal(BatchAction.Dispatch, decision.Action);
        Assert.Equal(3, decision.Count);
    }

    [Fact]
    public void Decide_MaxBatchSizeQueued_DispatchesBeforeTheDelay()
    {
        TestItem[] queue = [Item(0, 0), Item(1, 0), Item(2, 0), Item(3, 0)];

        var decision = BatchPolicy.Decide(queue, T0, Options, new List<BatchDrop>());

        Assert.Equal(BatchAction.Dispatch, decision.Action);
        Assert.Equal(4, decision.Count);
    }

    [Fact]
    public void Decide_MoreThanMaxBatchSizeQueued_DispatchesOnlyMaxBatchSize()
    {
        var queue = Enumerable.Range(0, 10).Select(i => Item(i, 0)).ToArray();

        var decision = BatchPolicy.Decide(queue, T0, Options, new List<BatchDrop>());

        Assert.Equal(BatchAction.Dispatch, decision.Action);
        Assert.Equal(4, decision.Count);
    }

    [Fact]
    public void Decide_CancelledAndExpiredItems_ReportedAsDropsAndNotCountedAsLive()
    {
        var cancelled = Item(0, 0);
        cancelled.Cancel();
        var expired = Item(2, 1, deadlineMs: 3);
        TestItem[] queue = [cancelled, Item(1, 1), expired, Item(3, 2), Item(4, 2)];
        var drops = new List<BatchDrop>();

        var decision = BatchPolicy.Decide(queue, T0.AddMilliseconds(3), Options, drops);

        Assert.Equal([new BatchDrop(0, DropReason.Cancelled), new BatchDrop(2, DropReason.DeadlineExceeded)], drops);
        // Three live items (< 4), so the delay runs from the oldest LIVE arrival (1 ms), not the cancelled one (0 ms).
        Assert.Equal(BatchAction.Wait, decision.Action);
        Assert.Equal(T0.AddMilliseconds(6), decision.WakeAt);
    }

    [Fact]
    public void Decide_CancelledItemPastDeadline_ReportedAsCancelled()
    {
        var item = Item(0, 0, deadlineMs: 1);
        item.Cancel();
        var drops = new List<BatchDrop>();

        var decision = BatchPolicy.Decide([item], T0.AddMilliseconds(2), Options, drops);

        Assert.Equal(BatchAction.Idle, decision.Action);
        Assert.Equal([new BatchDrop(0, DropReason.Cancelled)], drops);
    }

    [Fact]
    public void Decide_DeadlineReachedExactly_ItemIsExpired()
    {
        var drops = new List<BatchDrop>();

        BatchPolicy.Decide([Item(0, 0, deadlineMs: 2)], T0.AddMilliseconds(2), Options, drops);

        Assert.Equal([new BatchDrop(0, DropReason.DeadlineExceeded)], drops);
    }

    [Fact]
    public void Decide_ZeroDelay_DispatchesWhateverIsQueued()
    {
        var options = Options with { MaxQueueDelay = TimeSpan.Zero };

        var decision = BatchPolicy.Decide([Item(0, 0)], T0, options, new List<BatchDrop>());

        Assert.Equal(BatchAction.Dispatch, decision.Action);
        Assert.Equal(1, decision.Count);
    }

    [Fact]
    public void Decide_DeadlineBeforeDelayElapses_WaitsUntilTheNearestDeadline()
    {
        TestItem[] queue = [Item(0, 0, deadlineMs: 50), Item(1, 1, deadlineMs: 3), Item(2, 1, deadlineMs: 4)];

        var decision = BatchPolicy.Decide(queue, T0.AddMilliseconds(1), Options, new List<BatchDrop>());

        Assert.Equal(BatchAction.Wait, decision.Action);
        Assert.Equal(T0.AddMilliseconds(3), decision.WakeAt);
        Assert.Equal(T0.AddMilliseconds(3), decision.NearestDeadline);
    }

    [Fact]
    public void Decide_DelayBeforeAnyDeadline_WaitsUntilTheDelayElapses()
    {
        TestItem[] queue = [Item(0, 0, deadlineMs: 50), Item(1, 1, deadlineMs: 30)];

        var decision = BatchPolicy.Decide(queue, T0.AddMilliseconds(1), Options, new List<BatchDrop>());

        Assert.Equal(T0.AddMilliseconds(5), decision.WakeAt);
        Assert.Equal(T0.AddMilliseconds(30), decision.NearestDeadline);
    }

    [Fact]
    public void Decide_Dispatch_ReportsNearestDeadlineAmongLiveItems()
    {
        var queue = Enumerable.Range(0, 6).Select(i => Item(i, 0, deadlineMs: 100 - i)).ToArray();

        var decision = BatchPolicy.Decide(queue, T0, Options, new List<BatchDrop>());

        Assert.Equal(BatchAction.Dispatch, decision.Action);
        Assert.Equal(T0.AddMilliseconds(95), decision.NearestDeadline);
    }

    [Fact]
    public void Decide_EveryItemDropped_Idle()
    {
        var a = Item(0, 0);
        a.Cancel();
        var drops = new List<BatchDrop>();

        var decision = BatchPolicy.Decide([a, Item(1, 0, deadlineMs: 1)], T0.AddMilliseconds(1), Options, drops);

        Assert.Equal(BatchAction.Idle, decision.Action);
        Assert.Equal(2, drops.Count);
    }

    [Fact]
    public void Decide_NoDeadlines_NearestDeadlineIsMaxValue()
    {
        var decision = BatchPolicy.Decide([Item(0, 0)], T0, Options, new List<BatchDrop>());

        Assert.Equal(DateTimeOffset.MaxValue, decision.NearestDeadline);
    }

    [Fact]
    public void Decide_ZeroMaxBatchSize_Throws()
    {
        var options = Options with { MaxBatchSize = 0 };

        Assert.Throws<ArgumentOutOfRangeException>(() => BatchPolicy.Decide([Item(0, 0)], T0, options, new List<BatchDrop>()));
    }

    private static TestItem Item(int id, int arrivedMs, int? deadlineMs = null) =>
        new(id, T0.AddMilliseconds(arrivedMs), deadlineMs is { } d ? T0.AddMilliseconds(d) : null);
}
