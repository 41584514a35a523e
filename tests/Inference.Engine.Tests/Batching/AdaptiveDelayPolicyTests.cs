using Inference.Engine.Batching;

namespace Inference.Engine.Tests.Batching;

/// <summary>Each case of the adaptive (work-conserving) delay in <see cref="BatchPolicy.Decide{TItem}(IReadOnlyList{TItem}, DateTimeOffset, BatchingOptions, BatchLoad, ICollection{BatchDrop})"/>.</summary>
public sealed class AdaptiveDelayPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly BatchingOptions Options = new() { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.FromMilliseconds(5) };

    [Fact]
    public void Decide_IdleExecutorNothingInFlightRateNotYetMeasured_WaitsTheDelay()
    {
        var decision = Decide([Item(0, 0)], 0, new BatchLoad(1, 0, ArrivalRate.None.Observe(T0)));

        Assert.Equal(BatchAction.Wait, decision.Action);
        Assert.Equal(T0.AddMilliseconds(5), decision.WakeAt);
    }

    [Fact]
    public void Decide_IdleExecutorNothingInFlightArrivalsSparserThanDelay_DispatchesEveryQueuedItemAtOnce()
    {
        var arrivals = Rate(0, 20, 40, 60); // one every 20 ms, delay 5 ms

        var decision = Decide([Item(0, 60), Item(1, 60)], 60, new BatchLoad(2, 0, arrivals));

        Assert.Equal(BatchAction.Dispatch, decision.Action);
        Assert.Equal(2, decision.Count);
    }

    [Fact]
    public void Decide_IdleExecutorNothingInFlightArrivalExpectedWithinDelay_WaitsTheDelay()
    {
        var arrivals = Rate(0, 1, 2, 3); // one every ms, delay 5 ms

        var decision = Decide([Item(0, 3)], 3, new BatchLoad(1, 0, arrivals));

        Assert.Equal(BatchAction.Wait, decision.Action);
        Assert.Equal(T0.AddMilliseconds(8), decision.WakeAt);
    }

    [Fact]
    public void Decide_IdleExecutorButAnotherRequestInFlight_WaitsTheDelay()
    {
        var decision = Decide([Item(0, 0)], 0, new BatchLoad(1, 1, Rate(-40, -20, 0)));

        Assert.Equal(BatchAction.Wait, decision.Action);
        Assert.Equal(T0.AddMilliseconds(5), decision.WakeAt);
    }

    [Fact]
    public void Decide_NoFreeExecutor_WaitsTheDelay()
    {
        var decision = Decide([Item(0, 0)], 0, new BatchLoad(0, 0, Rate(-40, -20, 0)));

        Assert.Equal(BatchAction.Wait, decision.Action);
    }

    [Fact]
    public void Decide_FirstArrivalAfterAQuietSecond_DispatchesAtOnce()
    {
        var fast = Rate(0, 1, 2, 3); // one every ms
        var resumed = fast.Observe(T0.AddMilliseconds(1003)); // then a second of silence: 1 + (100 - 1) / 4 ms

        Assert.Equal(BatchAction.Wait, Decide([Item(0, 3)], 3, new BatchLoad(1, 0, fast)).Action);
        Assert.Equal(BatchAction.Dispatch, Decide([Item(1, 1003)], 1003, new BatchLoad(1, 0, resumed)).Action);
    }

    [Fact]
    public void Decide_AdaptiveDelayOff_WaitsWithAnIdleExecutor()
    {
        var drops = new List<BatchDrop>();

        var decision = BatchPolicy.Decide(
            [Item(0, 0)], T0, Options with { AdaptiveDelay = false }, new BatchLoad(1, 0, Rate(-40, -20, 0)), drops);

        Assert.Equal(BatchAction.Wait, decision.Action);
    }

    [Fact]
    public void Decide_WithoutLoad_WaitsAsAFixedDelayScheduler()
    {
        var decision = BatchPolicy.Decide([Item(0, 0)], T0, Options, new List<BatchDrop>());

        Assert.Equal(BatchAction.Wait, decision.Action);
    }

    [Fact]
    public void Observe_SecondArrival_MeanIsTheirInterval()
    {
        var rate = Rate(0, 8);

        Assert.Equal(TimeSpan.FromMilliseconds(8), rate.MeanInterval);
        Assert.Equal(T0.AddMilliseconds(8), rate.LastArrival);
    }

    [Fact]
    public void Observe_NewInterval_WeighsAQuarter()
    {
        var rate = Rate(0, 8, 12); // 8 ms, then 4 ms: 8 + (4 - 8) / 4

        Assert.Equal(TimeSpan.FromMilliseconds(7), rate.MeanInterval);
    }

    [Fact]
    public void Observe_LongSilence_CountsAtMostMaxSample()
    {
        var rate = Rate(0, 60_000);

        Assert.Equal(ArrivalRate.MaxSample, rate.MeanInterval);
    }

    [Fact]
    public void Observe_ArrivalStampedBeforeTheLast_CountsAsSimultaneous()
    {
        var rate = Rate(0, 8, 6);

        Assert.Equal(TimeSpan.FromMilliseconds(6), rate.MeanInterval);
        Assert.Equal(T0.AddMilliseconds(8), rate.LastArrival);
    }

    [Fact]
    public void ExpectedWithin_FewerThanTwoArrivals_ExpectsOne()
    {
        Assert.True(ArrivalRate.None.ExpectedWithin(TimeSpan.FromMilliseconds(1)));
        Assert.True(ArrivalRate.None.Observe(T0).ExpectedWithin(TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public void ExpectedWithin_MeanLongerThanTheWindow_ExpectsNone()
    {
        Assert.False(Rate(0, 20).ExpectedWithin(TimeSpan.FromMilliseconds(19)));
        Assert.True(Rate(0, 20).ExpectedWithin(TimeSpan.FromMilliseconds(20)));
    }

    private static BatchDecision Decide(TestItem[] queue, int nowMs, BatchLoad load) =>
        BatchPolicy.Decide(queue, T0.AddMilliseconds(nowMs), Options, load, new List<BatchDrop>());

    private static ArrivalRate Rate(params int[] arrivalsMs) =>
        arrivalsMs.Aggregate(ArrivalRate.None, (rate, ms) => rate.Observe(T0.AddMilliseconds(ms)));

    private static TestItem Item(int id, int arrivedMs) => new(id, T0.AddMilliseconds(arrivedMs));
}
