namespace Inference.Engine.Batching;

/// <summary>
/// The dynamic-batching decision as a pure function of the queue, the current instant and the options
/// (Triton dynamic_batch_scheduler semantics): no clock reads, no threads, no allocation.
/// </summary>
public static class BatchPolicy
{
    /// <summary>Why <paramref name="item"/> must not run at <paramref name="now"/>, or null when it is live.</summary>
    /// <remarks>Cancellation wins over expiry. An item is expired from its deadline instant on (<c>now &gt;= Deadline</c>).</remarks>
    public static DropReason? DropReasonFor(IBatchItem item, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.IsCancelled)
        {
            return DropReason.Cancelled;
        }

        return now >= item.Deadline ? DropReason.DeadlineExceeded : null;
    }

    /// <summary>
    /// Decides what to do with <paramref name="queue"/> (oldest first) at <paramref name="now"/>, waiting out the
    /// delay as a fixed-delay scheduler does (no knowledge of the executors or the arrival rate).
    /// </summary>
    public static BatchDecision Decide<TItem>(
        IReadOnlyList<TItem> queue, DateTimeOffset now, BatchingOptions options, ICollection<BatchDrop> drops)
        where TItem : IBatchItem =>
        Decide(queue, now, options, BatchLoad.Saturated, drops);

    /// <summary>
    /// Decides what to do with <paramref name="queue"/> (oldest first) at <paramref name="now"/>.
    /// Cancelled and expired items are appended to <paramref name="drops"/> (ascending index) and never count
    /// towards a batch. Of the remaining live items, a batch of up to MaxBatchSize is due when MaxBatchSize live
    /// items are queued, or when the oldest live item has waited MaxQueueDelay (a zero delay dispatches whatever
    /// is queued), or (<see cref="BatchingOptions.AdaptiveDelay"/>) at once when waiting cannot help: an executor
    /// is free, nothing else is in flight and <paramref name="load"/>'s arrival rate expects no request within the
    /// delay. Otherwise the scheduler waits until that delay elapses or the nearest deadline passes.
    /// </summary>
    public static BatchDecision Decide<TItem>(
        IReadOnlyList<TItem> queue, DateTimeOffset now, BatchingOptions options, BatchLoad load, ICollection<BatchDrop> drops)
        where TItem : IBatchItem
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(drops);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);

        var live = 0;
        var oldestArrival = DateTimeOffset.MaxValue;
        var nearestDeadline = DateTimeOffset.MaxValue;
        for (var i = 0; i < queue.Count; i++)
        {
            var item = queue[i];
            if (DropReasonFor(item, now) is { } reason)
            {
                drops.Add(new BatchDrop(i, reason));
                continue;
            }

            live++;
            if (item.EnqueuedAt < oldestArrival)
            {
                oldestArrival = item.EnqueuedAt;
            }

            if (item.Deadline < nearestDeadline)
            {
                nearestDeadline = item.Deadline;
            }
        }

        if (live == 0)
        {
            return BatchDecision.Idle;
        }

        var delayElapsedAt = AddSaturating(oldestArrival, options.MaxQueueDelay);
        if (live >= options.MaxBatchSize || options.MaxQueueDelay <= TimeSpan.Zero || now >= delayElapsedAt
            || (options.AdaptiveDelay && WaitingCannotHelp(load, options.MaxQueueDelay)))
        {
            return BatchDecision.Dispatch(Math.Min(live, options.MaxBatchSize), nearestDeadline);
        }

        var wakeAt = delayElapsedAt < nearestDeadline ? delayElapsedAt : nearestDeadline;
        return BatchDecision.Wait(wakeAt, nearestDeadline);
    }

    /// <summary>
    /// An idle executor would sit out the whole delay for a batch no other request is expected to join: nothing
    /// else is running (so no request is about to come back for its next call) and the measured arrival rate
    /// expects no arrival within the delay.
    /// </summary>
    private static bool WaitingCannotHelp(BatchLoad load, TimeSpan delay) =>
        load.FreeExecutors > 0 && load.InFlight == 0 && !load.Arrivals.ExpectedWithin(delay);

    private static DateTimeOffset AddSaturating(DateTimeOffset instant, TimeSpan delta) =>
        DateTimeOffset.MaxValue - instant <= delta ? DateTimeOffset.MaxValue : instant + delta;
}

/// <summary>What the batcher needs to know about a queued request.</summary>
public interface IBatchItem
{
    /// <summary>When the request entered the queue (from the batcher's <see cref="TimeProvider"/>).</summary>
    DateTimeOffset EnqueuedAt { get; }

    /// <summary>From this instant on (<c>now >= Deadline</c>) the request is dropped instead of run; <see cref="DateTimeOffset.MaxValue"/> for none.</summary>
    DateTimeOffset Deadline { get; }

    /// <summary>The caller gave up (client disconnected, call cancelled).</summary>
    bool IsCancelled { get; }
}

/// <summary>Triton-style dynamic batching settings for one model.</summary>
public sealed record BatchingOptions
{
    /// <summary>Largest batch run at once (1 for a model with a fixed batch of 1).</summary>
    public int MaxBatchSize { get; init; } = 8;

    /// <summary>Longest a request waits, counted from the oldest queued request, for a batch to fill.</summary>
    public TimeSpan MaxQueueDelay { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Requests that may wait in the queue; beyond this, enqueue is refused at once.</summary>
    public int QueueCapacity { get; init; } = 64;

    /// <summary>Batches run concurrently (one dedicated thread each).</summary>
    public int Executors { get; init; } = 1;

    /// <summary>
    /// Work-conserving delay: a partial batch runs at once on an idle executor when nothing else is in flight and
    /// the measured arrival rate expects no request within <see cref="MaxQueueDelay"/>. False waits the delay out.
    /// </summary>
    public bool AdaptiveDelay { get; init; } = true;
}

/// <summary>What the scheduler knows besides the queue when it decides: its executors and the arrivals so far.</summary>
/// <param name="FreeExecutors">Executors with no batch.</param>
/// <param name="InFlight">Items in batches running now.</param>
/// <param name="Arrivals">The measured arrival rate.</param>
public readonly record struct BatchLoad(int FreeExecutors, int InFlight, ArrivalRate Arrivals)
{
    /// <summary>No executor free: never dispatches a partial batch early (the fixed-delay behaviour).</summary>
    public static BatchLoad Saturated { get; } = new(0, 0, ArrivalRate.None);
}

/// <summary>
/// The arrival rate as an exponentially weighted moving average of the intervals between arrivals
/// (weight 1/4 for the newest), updated by <see cref="Observe"/>. Immutable: the scheduler keeps the latest value.
/// </summary>
/// <param name="LastArrival">The latest arrival seen (<see cref="DateTimeOffset.MinValue"/> for none).</param>
/// <param name="MeanInterval">The averaged interval; <see cref="TimeSpan.MaxValue"/> until two arrivals were seen.</param>
public readonly record struct ArrivalRate(DateTimeOffset LastArrival, TimeSpan MeanInterval)
{
    /// <summary>
    /// Longest interval averaged in: a quiet spell then counts as "no arrivals soon" without taking dozens of
    /// arrivals to forget once traffic resumes (from 100 ms to below a 2 ms delay in 14 arrivals).
    /// </summary>
    public static readonly TimeSpan MaxSample = TimeSpan.FromMilliseconds(100);

    public static ArrivalRate None { get; } = new(DateTimeOffset.MinValue, TimeSpan.MaxValue);

    /// <summary>The rate once a request arrived at <paramref name="arrival"/>.</summary>
    public ArrivalRate Observe(DateTimeOffset arrival)
    {
        if (LastArrival == DateTimeOffset.MinValue)
        {
            return this with { LastArrival = arrival };
        }

        // Producers stamp their items before writing them, so the channel may deliver them slightly out of order.
        var sample = arrival > LastArrival ? arrival - LastArrival : TimeSpan.Zero;
        sample = sample < MaxSample ? sample : MaxSample;
        var mean = MeanInterval == TimeSpan.MaxValue ? sample : MeanInterval + ((sample - MeanInterval) / 4);
        return new ArrivalRate(arrival > LastArrival ? arrival : LastArrival, mean);
    }

    /// <summary>
    /// Whether another request is expected within <paramref name="window"/>: the averaged interval is no longer.
    /// Before two arrivals the rate is unknown and one is expected (the first request after start waits the delay
    /// once, as a fixed delay would). A quiet spell needs no clock here: the arrival that ends it averages in
    /// <see cref="MaxSample"/>, which alone lifts the mean above a few milliseconds; a delay of
    /// <see cref="MaxSample"/> or more is therefore always waited out.
    /// </summary>
    public bool ExpectedWithin(TimeSpan window) => MeanInterval == TimeSpan.MaxValue || MeanInterval <= window;
}

internal static class BatchingOptionsGuard
{
    public static void ThrowIfInvalid(BatchingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.MaxBatchSize, "BatchingOptions.MaxBatchSize must be at least 1.");
        }

        if (options.MaxQueueDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.MaxQueueDelay, "BatchingOptions.MaxQueueDelay must not be negative.");
        }

        if (options.QueueCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.QueueCapacity, "BatchingOptions.QueueCapacity must be at least 1.");
        }

        if (options.Executors < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.Executors, "BatchingOptions.Executors must be at least 1.");
        }
    }
}

/// <summary>
/// The outcome of <see cref="BatchPolicy.Decide{TItem}"/> for one queue snapshot. Counts and instants refer
/// to the live items, i.e. the queue once the reported drops are removed.
/// </summary>
/// <param name="Action">Idle, wait, or dispatch.</param>
/// <param name="Count">For <see cref="BatchAction.Dispatch"/>: how many live items (oldest first) form the batch; else 0.</param>
/// <param name="WakeAt">
/// For <see cref="BatchAction.Wait"/>: the earlier of the oldest live item's arrival + MaxQueueDelay and the nearest
/// live deadline. Otherwise <see cref="DateTimeOffset.MaxValue"/>.
/// </param>
/// <param name="NearestDeadline">
/// The earliest deadline among live items (<see cref="DateTimeOffset.MaxValue"/> when none): when no executor is free,
/// the scheduler sleeps until this instant so expired items are dropped promptly.
/// </param>
public readonly record struct BatchDecision(BatchAction Action, int Count, DateTimeOffset WakeAt, DateTimeOffset NearestDeadline)
{
    public static BatchDecision Idle { get; } = new(BatchAction.Idle, 0, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);

    public static BatchDecision Wait(DateTimeOffset wakeAt, DateTimeOffset nearestDeadline) =>
        new(BatchAction.Wait, 0, wakeAt, nearestDeadline);

    public static BatchDecision Dispatch(int count, DateTimeOffset nearestDeadline) =>
        new(BatchAction.Dispatch, count, DateTimeOffset.MaxValue, nearestDeadline);
}

/// <summary>What <see cref="BatchPolicy.Decide{TItem}"/> tells the scheduler to do next.</summary>
public enum BatchAction
{
    /// <summary>No live item is queued: sleep until something arrives.</summary>
    Idle,

    /// <summary>Live items are queued but no batch is due: sleep until <see cref="BatchDecision.WakeAt"/>.</summary>
    Wait,

    /// <summary>Run the first <see cref="BatchDecision.Count"/> live items now (when an executor is free).</summary>
    Dispatch,
}

/// <summary>A queued item that must be dropped instead of run: its position in the queue and why.</summary>
public readonly record struct BatchDrop(int Index, DropReason Reason);

public enum DropReason
{
    Cancelled,
    DeadlineExceeded,
    ShuttingDown,
}
