using Inference.Engine.Batching;

namespace Inference.Engine.Tests.Batching;

internal sealed class TestItem(int id, DateTimeOffset enqueuedAt, DateTimeOffset? deadline = null) : IBatchItem
{
    private volatile bool _cancelled;
    private int _executed;
    private int _dropped;

    public int Id { get; } = id;

    public DateTimeOffset EnqueuedAt { get; } = enqueuedAt;

    public DateTimeOffset Deadline { get; } = deadline ?? DateTimeOffset.MaxValue;

    public bool IsCancelled => _cancelled;

    public int Executed => Volatile.Read(ref _executed);

    public int Dropped => Volatile.Read(ref _dropped);

    public DropReason? DropReason { get; private set; }

    public void Cancel() => _cancelled = true;

    public void MarkExecuted() => Interlocked.Increment(ref _executed);

    public void MarkDropped(DropReason reason)
    {
        DropReason = reason;
        Interlocked.Increment(ref _dropped);
    }

    public override string ToString() => $"#{Id}";
}
