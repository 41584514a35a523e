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
    /// Decides what to do with <paramref name="queue"/> (oldest first) at <paramref name="now"/>.
    /// Cancelled and expired items are appended to <paramref name="drops"/> (ascending index) and never count
    /// towards a batch. Of the remaining live items, a batch of up to MaxBatchSize is due when MaxBatchSize live
    /// items are queued, or when the oldest live item has waited MaxQueueDelay (a zero delay dispatches whatever
    /// is queued). Otherwise the scheduler waits until that delay elapses or the nearest deadline passes.
    /// </summary>
    public static BatchDecision Decide<TItem>(
        IReadOnlyList<TItem> queue, DateTimeOffset now, BatchingOptions options, ICollection<BatchDrop> drops)
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
        if (live >= options.MaxBatchSize || options.MaxQueueDelay <= TimeSpan.Zero || now >= delayElapsedAt)
        {
            return BatchDecision.Dispatch(Math.Min(live, options.MaxBatchSize), nearestDeadline);
        }

        var wakeAt = delayElapsedAt < nearestDeadline ? delayElapsedAt : nearestDeadline;
        return BatchDecision.Wait(wakeAt, nearestDeadline);
    }

    private static DateTimeOffset AddSaturating(DateTimeOffset instant, TimeSpan delta) =>
        DateTimeOffset.MaxValue - instant <= delta ? DateTimeOffset.MaxValue : instant + delta;
}
