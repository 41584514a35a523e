namespace Inference.Engine.Batching;

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
