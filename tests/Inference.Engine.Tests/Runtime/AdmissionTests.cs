using Inference.Engine.Inference;
using Inference.Engine.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Inference.Engine.Tests.Runtime;

public sealed class AdmissionTests : IDisposable
{
    private static readonly TimeSpan PerImage = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger _logger = new();
    private readonly Admission _admission;

    public AdmissionTests()
    {
        _admission = Create(maxBatchSize: 1, executors: 1);
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private DateTimeOffset FarDeadline => Now.AddMinutes(1);

    [Fact]
    public void Check_EstimatedWaitWithinBudget_Accepts()
    {
        // 3 ahead x 300 ms = 900 ms <= 1 s.
        Assert.Null(_admission.Check(3, Now, FarDeadline));
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Fact]
    public void Check_EstimatedWaitOverBudget_RefusesQueueFullWithRetryAfterFromDepthTimesPerImage()
    {
        // 5 ahead x 300 ms = 1.5 s > 1 s: Retry-After is that estimate rounded up to whole seconds.
        var refusal = _admission.Check(5, Now, FarDeadline);

        Assert.NotNull(refusal);
        Assert.Equal(InferenceErrorCode.QueueFull, refusal.Code);
        Assert.Equal(TimeSpan.FromSeconds(2), refusal.RetryAfter);
        Assert.Contains("'m1'", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("queue budget of 1000 ms", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("1500 ms", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LongQueue_RetryAfterGrowsWithTheQueue()
    {
        // 20 ahead x 300 ms = 6 s.
        Assert.Equal(TimeSpan.FromSeconds(6), _admission.Check(20, Now, FarDeadline)!.RetryAfter);
    }

    [Fact]
    public void Check_CannotStartBeforeItsDeadline_RefusesEvenWithinBudget()
    {
        // 2 ahead x 300 ms = 600 ms: within the budget, but the deadline is 500 ms away.
        var refusal = _admission.Check(2, Now, Now.AddMilliseconds(500));

        Assert.NotNull(refusal);
        Assert.Equal(InferenceErrorCode.QueueFull, refusal.Code);
        Assert.Equal(TimeSpan.FromSeconds(1), refusal.RetryAfter);
        Assert.Contains("deadline", refusal.Message, StringComparison.Ordinal);
        Assert.Null(_admission.Check(2, Now, Now.AddMilliseconds(700)));
    }

    [Fact]
    public void Check_NobodyAhead_AcceptsWhateverTheDeadline()
    {
        // It starts at once; a deadline that passes anyway is reported by the batcher (504), not refused here.
        Assert.Null(_admission.Check(0, Now, Now));
    }

    [Fact]
    public void Check_LessThanOneBatchPerExecutorAhead_AcceptsOverBudget()
    {
        using var batching = Create(maxBatchSize: 4, executors: 2);

        // 7 ahead x 300 ms / 2 executors = 1.05 s > 1 s, but fewer than 4 x 2 are ahead: the batcher needs them.
        Assert.Null(batching.Check(7, Now, FarDeadline));
        // 8 ahead: 1.2 s > 1 s and a full batch per executor is queued.
        Assert.Equal(TimeSpan.FromSeconds(2), batching.Check(8, Now, FarDeadline)!.RetryAfter);
    }

    [Fact]
    public void EstimatedWait_TwoExecutors_HalvesTheWait()
    {
        using var two = Create(maxBatchSize: 1, executors: 2);

        Assert.Equal(TimeSpan.FromMilliseconds(1500), _admission.EstimatedWait(5));
        Assert.Equal(TimeSpan.FromMilliseconds(750), two.EstimatedWait(5));
        Assert.Equal(TimeSpan.Zero, _admission.EstimatedWait(0));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(10, 1)]
    [InlineData(1000, 1)]
    [InlineData(1001, 2)]
    [InlineData(5400, 6)]
    public void RetryAfterFor_Wait_WholeSecondsRoundedUpAtLeastOne(int waitMs, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Admission.RetryAfterFor(TimeSpan.FromMilliseconds(waitMs)));

    [Fact]
    public void QueueFull_EverySlotTaken_RefusesWithRetryAfterFromTheQueue()
    {
        var refusal = _admission.QueueFull(10);

        Assert.Equal(InferenceErrorCode.QueueFull, refusal.Code);
        Assert.Equal(TimeSpan.FromSeconds(3), refusal.RetryAfter);
        Assert.Contains("queue is full", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusals_ManyInOneInterval_LoggedAsOneAggregatedLineWithCountAndReasons()
    {
        for (var i = 0; i < 100; i++)
        {
            _admission.Check(5, Now, FarDeadline);
        }

        _admission.Check(2, Now, Now.AddMilliseconds(100));
        _admission.QueueFull(10);
        _admission.QueueFull(10);
        Assert.Empty(_logger.Collector.GetSnapshot());

        _time.Advance(LogInterval);

        var line = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("refused 103 request(s) in the last 10s", line.Message, StringComparison.Ordinal);
        Assert.Contains("100 would wait past the queue budget", line.Message, StringComparison.Ordinal);
        Assert.Contains("1 could not start before their deadline", line.Message, StringComparison.Ordinal);
        Assert.Contains("2 found every queue slot taken", line.Message, StringComparison.Ordinal);

        // A quiet interval writes nothing; the next refusal starts a new interval and a new line.
        _time.Advance(LogInterval * 3);
        Assert.Single(_logger.Collector.GetSnapshot());
        _admission.Check(5, Now, FarDeadline);
        _time.Advance(LogInterval);
        Assert.Equal(2, _logger.Collector.Count);
        Assert.Contains("refused 1 request(s)", _logger.Collector.LatestRecord.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_RefusalsNotYetLogged_WritesThemOnce()
    {
        using (var admission = Create(maxBatchSize: 1, executors: 1))
        {
            admission.Check(5, Now, FarDeadline);
        }

        Assert.Contains("refused 1 request(s)", Assert.Single(_logger.Collector.GetSnapshot()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServiceTimeEstimate_BatchesRun_MovesTowardsTheMeasuredTimePerImage()
    {
        var estimate = new ServiceTimeEstimate(TimeSpan.FromMilliseconds(100));

        // One batch of 4 in 800 ms is 200 ms per image: the average moves a fifth of the way.
        estimate.BatchRan(4, TimeSpan.FromMilliseconds(800));
        Assert.Equal(120, estimate.PerImage.TotalMilliseconds, 3);

        for (var i = 0; i < 50; i++)
        {
            estimate.BatchRan(8, TimeSpan.FromMilliseconds(400));
        }

        Assert.Equal(50, estimate.PerImage.TotalMilliseconds, 1);
        estimate.BatchRan(0, TimeSpan.FromSeconds(10));
        Assert.Equal(50, estimate.PerImage.TotalMilliseconds, 1);
    }

    [Fact]
    public void Check_BatchRunning_CountsItInTheWait()
    {
        using var admission = Create(maxBatchSize: 2, executors: 1);

        // 300 ms per image: 2 queued alone wait 600 ms (within 1 s), behind one running image 900 ms, behind a running
        // batch of 2 they wait 1200 ms.
        Assert.Null(admission.Check(2, Now, FarDeadline));
        Assert.Null(admission.Check(2, Now, FarDeadline, running: 1));
        var refusal = admission.Check(2, Now, FarDeadline, running: 2);

        Assert.NotNull(refusal);
        Assert.Contains("2 queued, 2 running", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BatchRunningNothingQueued_LeavesAShortDeadlineToTheBatcher()
    {
        // A running batch of 2 is 600 ms, past a 500 ms deadline, but with nobody queued ahead the request is next:
        // it queues (and gets 504 from the batcher if the deadline passes), as with nothing running.
        Assert.Null(_admission.Check(0, Now, Now.AddMilliseconds(500), running: 2));
        Assert.NotNull(_admission.Check(2, Now, Now.AddMilliseconds(500), running: 2));
    }

    [Fact]
    public void Check_SlowModelOneBatchRunning_StillAdmitsTheNextBatch()
    {
        using var admission = Create(maxBatchSize: 8, executors: 1);

        // A running batch of 8 at 300 ms per image is 2.4 s, past the 1 s budget: the next batch still forms.
        Assert.Null(admission.Check(7, Now, FarDeadline, running: 8));
        Assert.NotNull(admission.Check(8, Now, FarDeadline, running: 8));
    }

    [Fact]
    public void DrainTime_FirstRequestWaitedThroughThePreviousBatch_CountsFromThePreviousAnswer()
    {
        var t0 = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

        // Queued at t0 + 50 ms, behind a batch answered at t0 + 100 ms; this batch started 30 ms later (the executor
        // was kept from it) and was answered at t0 + 400 ms: the queue waited 300 ms for it, not 270.
        var drain = ModelRunner.DrainTime(t0.AddMilliseconds(100), t0.AddMilliseconds(50), t0.AddMilliseconds(130), t0.AddMilliseconds(400));

        Assert.Equal(300, drain.TotalMilliseconds, 3);
    }

    [Fact]
    public void DrainTime_ExecutorWasIdle_CountsFromThisBatchsStart()
    {
        var t0 = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

        // Its first request came after the previous answer: the gap before it was idle time, nobody's wait.
        var idle = ModelRunner.DrainTime(t0.AddMilliseconds(100), t0.AddMilliseconds(500), t0.AddMilliseconds(502), t0.AddMilliseconds(700));
        var first = ModelRunner.DrainTime(default, t0, t0.AddMilliseconds(2), t0.AddMilliseconds(200));

        Assert.Equal(198, idle.TotalMilliseconds, 3);
        Assert.Equal(198, first.TotalMilliseconds, 3);
    }

    public void Dispose() => _admission.Dispose();

    private Admission Create(int maxBatchSize, int executors) =>
        new("m1", new ServiceTimeEstimate(PerImage), Budget, maxBatchSize, executors, _time, _logger, LogInterval);
}
