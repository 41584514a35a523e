namespace Inference.Engine.Batching;

/// <summary>Runs the batches that <see cref="DynamicBatcher{TItem}"/> forms.</summary>
public interface IBatchExecutor<in TItem>
    where TItem : IBatchItem
{
    /// <summary>
    /// Runs one batch (1..MaxBatchSize items, oldest first) and completes every item in it.
    /// Called on a dedicated executor thread; <paramref name="executorIndex"/> (0..Executors-1)
    /// lets each executor own its buffers. Exceptions are the executor's to turn into item failures; one that escapes
    /// is caught and logged by the batcher (the thread keeps running, the items count as executed).
    /// <paramref name="batch"/> is reused for the executor's next batch: do not keep it after returning.
    /// </summary>
    void Execute(IReadOnlyList<TItem> batch, int executorIndex);

    /// <summary>Completes an item that will not be run (cancelled, past its deadline, or shutdown).</summary>
    void Drop(TItem item, DropReason reason);
}
