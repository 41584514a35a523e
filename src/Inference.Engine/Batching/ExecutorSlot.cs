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

/// <summary>
/// One dedicated executor thread and the batch buffer it owns. The scheduler fills <see cref="Batch"/> and calls
/// <see cref="Start"/> only while the slot is free; the thread runs the batch, clears it, marks itself free and calls the free callback.
/// </summary>
internal sealed class ExecutorSlot<TItem>
    where TItem : class, IBatchItem
{
    private readonly SemaphoreSlim _start = new(0, 1);
    private readonly Thread _thread;
    private readonly Action<ExecutorSlot<TItem>> _run;
    private readonly Action _onFree;
    private volatile bool _busy;
    private volatile bool _stopping;

    public ExecutorSlot(int index, int maxBatchSize, string name, Action<ExecutorSlot<TItem>> run, Action onFree)
    {
        Index = index;
        Batch = new List<TItem>(maxBatchSize);
        _run = run;
        _onFree = onFree;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"{name}-exec-{index}" };
        _thread.Start();
    }

    public int Index { get; }

    /// <summary>The batch buffer, reused for every batch this executor runs.</summary>
    public List<TItem> Batch { get; }

    /// <summary>True from <see cref="Start"/> until the batch has finished and the buffer is cleared.</summary>
    public bool IsBusy => _busy;

    public void Start()
    {
        _busy = true;
        _start.Release();
    }

    /// <summary>Lets the thread exit once idle and waits for it. Call only when the slot is free.</summary>
    public void Stop()
    {
        _stopping = true;
        _start.Release();
        _thread.Join();
        _start.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            _start.Wait();
            if (_stopping)
            {
                return;
            }

            _run(this);
            Batch.Clear();
            _busy = false;
            _onFree();
        }
    }
}
