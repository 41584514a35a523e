namespace Inference.Engine.Batching;

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
