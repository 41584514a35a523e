namespace Inference.Engine.Batching;

/// <summary>What the batcher needs to know about a queued request.</summary>
public interface IBatchItem
{
    /// <summary>When the request entered the queue (from the batcher's <see cref="TimeProvider"/>).</summary>
    DateTimeOffset EnqueuedAt { get; }

    /// <summary>After this instant the request is dropped instead of run.</summary>
    DateTimeOffset Deadline { get; }

    /// <summary>The caller gave up (client disconnected, call cancelled).</summary>
    bool IsCancelled { get; }
}
