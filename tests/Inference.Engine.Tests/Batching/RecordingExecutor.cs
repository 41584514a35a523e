using System.Threading.Channels;
using Inference.Engine.Batching;

namespace Inference.Engine.Tests.Batching;

/// <summary>Records batches and drops; when built with <c>hold: true</c>, each batch blocks until <see cref="ReleaseOne"/>.</summary>
internal sealed class RecordingExecutor(bool hold = false) : IBatchExecutor<TestItem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _gate = new(0);
    private readonly Channel<TestItem[]> _batches = Channel.CreateUnbounded<TestItem[]>();
    private readonly Channel<TestItem> _drops = Channel.CreateUnbounded<TestItem>();
    private int _running;
    private int _maxRunning;
    private int _batchCount;

    /// <summary>Runs inside Execute before the hold (e.g. to throw or to check the batch).</summary>
    public Action<IReadOnlyList<TestItem>, int>? OnExecute { get; init; }

    public int MaxConcurrentBatches => Volatile.Read(ref _maxRunning);

    public int BatchCount => Volatile.Read(ref _batchCount);

    public List<string> ThreadNames { get; } = [];

    public void Execute(IReadOnlyList<TestItem> batch, int executorIndex)
    {
        var running = Interlocked.Increment(ref _running);
        InterlockedMax(ref _maxRunning, running);
        Interlocked.Increment(ref _batchCount);
        lock (ThreadNames)
        {
            ThreadNames.Add(Thread.CurrentThread.Name ?? "");
        }

        try
        {
            foreach (var item in batch)
            {
                item.MarkExecuted();
            }

            _batches.Writer.TryWrite([.. batch]);
            OnExecute?.Invoke(batch, executorIndex);
            if (hold && !_gate.Wait(Timeout))
            {
                throw new TimeoutException("The test never released the held batch.");
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public void Drop(TestItem item, DropReason reason)
    {
        item.MarkDropped(reason);
        _drops.Writer.TryWrite(item);
    }

    public void ReleaseOne() => _gate.Release();

    public async Task<TestItem[]> NextBatchAsync() => await _batches.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    public async Task<TestItem> NextDropAsync() => await _drops.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    public bool TryTakeBatch(out TestItem[]? batch) => _batches.Reader.TryRead(out batch);

    public bool TryTakeDrop(out TestItem? item) => _drops.Reader.TryRead(out item);

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
