namespace Inference.Engine.Batching;

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
}
