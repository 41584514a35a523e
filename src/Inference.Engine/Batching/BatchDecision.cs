namespace Inference.Engine.Batching;

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
