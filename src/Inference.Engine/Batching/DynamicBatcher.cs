using System.Threading.Channels;
using Inference.Engine.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inference.Engine.Batching;

/// <summary>
/// Triton-style dynamic batcher: producers enqueue items without blocking; one async scheduler loop forms
/// batches with <see cref="BatchPolicy.Decide{TItem}"/> and hands each to one of
/// <see cref="BatchingOptions.Executors"/> dedicated executor threads, only when one is free, so requests
/// accumulate into larger batches while executors are busy.
/// </summary>
/// <remarks>
/// Items stamp <see cref="IBatchItem.EnqueuedAt"/> themselves, from the same <see cref="TimeProvider"/>.
/// Cancelled and expired items are dropped before batch formation; the loop wakes at the nearest queued deadline
/// on its own, and callers that cancel an item call <see cref="Poke"/> so it is dropped without waiting for an
/// executor or a timer. Every accepted item is passed exactly once to either
/// <see cref="IBatchExecutor{TItem}.Execute"/> or <see cref="IBatchExecutor{TItem}.Drop"/>.
/// </remarks>
public sealed class DynamicBatcher<TItem> : IAsyncDisposable
    where TItem : class, IBatchItem
{
    private readonly BatchingOptions _options;
    private readonly BatchingOptions _drainOptions;
    private readonly IBatchExecutor<TItem> _executor;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<TItem> _channel;
    private readonly PendingQueue<TItem> _pending;
    private readonly ExecutorSlot<TItem>[] _slots;
    private readonly AsyncAutoResetSignal _signal = new();
    private readonly WakeTimer _timer;
    private readonly Task _loop;
    private ArrivalRate _arrivals = ArrivalRate.None;
    private int _queued;
    private int _inFlight;
    private long _executorFaults;
    private volatile bool _completing;
    private volatile bool _aborting;
    private int _disposed;

    public DynamicBatcher(
        BatchingOptions options,
        IBatchExecutor<TItem> executor,
        TimeProvider timeProvider,
        string name,
        ILogger? logger = null)
    {
        BatchingOptionsGuard.ThrowIfInvalid(options);
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        _options = options;
        _drainOptions = options with { MaxQueueDelay = TimeSpan.Zero };
        _executor = executor;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        Name = name;
        _channel = Channel.CreateBounded<TItem>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _pending = new PendingQueue<TItem>(options.QueueCapacity, DropItem);
        _timer = new WakeTimer(timeProvider, _signal);
        _slots = new ExecutorSlot<TItem>[options.Executors];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new ExecutorSlot<TItem>(i, options.MaxBatchSize, name, RunBatch, _signal.Set);
        }

        _loop = Task.Run(RunLoopAsync);
    }

    public string Name { get; }

    /// <summary>Items accepted and not yet handed to an executor or dropped.</summary>
    public int QueueDepth => Volatile.Read(ref _queued);

    /// <summary>Items in batches that executors are running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>How many times <see cref="IBatchExecutor{TItem}.Execute"/> has thrown (caught; the thread lives on).</summary>
    public long ExecutorFaults => Interlocked.Read(ref _executorFaults);

    /// <summary>True while the scheduler loop is parked with no pending wake-up (lets tests wait for quiescence).</summary>
    internal bool IsSchedulerParked => _signal.IsParked;

    /// <summary>
    /// Queues <paramref name="item"/> without blocking. <see cref="EnqueueResult.QueueFull"/> when
    /// <see cref="BatchingOptions.QueueCapacity"/> items are already waiting (running batches do not count);
    /// <see cref="EnqueueResult.ShuttingDown"/> once <see cref="CompleteAsync"/> has started. A refused item is
    /// not passed to the executor.
    /// </summary>
    public EnqueueResult TryEnqueue(TItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_completing)
        {
            return EnqueueResult.ShuttingDown;
        }

        var queued = Volatile.Read(ref _queued);
        while (true)
        {
            if (queued >= _options.QueueCapacity)
            {
                return EnqueueResult.QueueFull;
            }

            var seen = Interlocked.CompareExchange(ref _queued, queued + 1, queued);
            if (seen == queued)
            {
                break;
            }

            queued = seen;
        }

        if (!_channel.Writer.TryWrite(item))
        {
            Interlocked.Decrement(ref _queued);
            return EnqueueResult.ShuttingDown;
        }

        _signal.Set();
        return EnqueueResult.Accepted;
    }

    /// <summary>
    /// Makes the scheduler re-examine the queue now. Call it after cancelling a queued item so it is dropped
    /// (with <see cref="DropReason.Cancelled"/>) promptly even while every executor is busy. Cheap and thread-safe.
    /// </summary>
    public void Poke() => _signal.Set();

    /// <summary>
    /// Stops accepting items, then runs everything already queued (without waiting for MaxQueueDelay) and lets
    /// running batches finish. If <paramref name="cancellationToken"/> fires first, the items still queued are
    /// dropped with <see cref="DropReason.ShuttingDown"/>. Returns once the queue is empty and executors are idle.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        // Register first: an already-cancelled token must set _aborting before the loop can see _completing,
        // or the loop could start draining (running) items that the caller asked to drop.
        using var registration = cancellationToken.Register(
            static state => ((DynamicBatcher<TItem>)state!).Abort(), this);
        _completing = true;
        _channel.Writer.TryComplete();
        _signal.Set();
        await _loop.ConfigureAwait(false);
    }

    /// <summary>Drops whatever is still queued (<see cref="DropReason.ShuttingDown"/>), waits for running batches, stops the threads.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await CompleteAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        foreach (var slot in _slots)
        {
            slot.Stop();
        }

        _timer.Dispose();
        _signal.Dispose();
    }

    private void Abort()
    {
        _aborting = true;
        _signal.Set();
    }

    private async Task RunLoopAsync()
    {
        while (true)
        {
            while (_channel.Reader.TryRead(out var item))
            {
                _pending.Add(item);
                _arrivals = _arrivals.Observe(item.EnqueuedAt);
            }

            var now = _timeProvider.GetUtcNow();
            var load = new BatchLoad(FreeSlots(), Volatile.Read(ref _inFlight), _arrivals);
            var decision = _pending.Decide(now, _completing ? _drainOptions : _options, load);
            if (_aborting)
            {
                _pending.DropAll(DropReason.ShuttingDown);
                decision = BatchDecision.Idle;
            }

            var wakeAt = DateTimeOffset.MaxValue;
            if (decision.Action == BatchAction.Dispatch)
            {
                if (FindFreeSlot() is { } slot)
                {
                    Dispatch(slot, decision.Count);
                    continue;
                }

                wakeAt = decision.NearestDeadline;
            }
            else if (decision.Action == BatchAction.Wait)
            {
                if (_timer.PreciseWait(now, decision.WakeAt) is { } shortWait)
                {
                    // Too short for the system timer: block this pool thread for it (a few ms at most); an arrival or a
                    // freed executor ends the wait early, as it would the timer's.
                    _timer.Disarm();
                    _signal.Wait(shortWait);
                    continue;
                }

                wakeAt = decision.WakeAt;
            }
            else if (_completing && _channel.Reader.Completion.IsCompleted && AllSlotsFree())
            {
                break;
            }

            _timer.WakeAt(now, wakeAt);
            await _signal.WaitAsync().ConfigureAwait(false);
        }

        _timer.Disarm();
    }

    private ExecutorSlot<TItem>? FindFreeSlot()
    {
        foreach (var slot in _slots)
        {
            if (!slot.IsBusy)
            {
                return slot;
            }
        }

        return null;
    }

    private int FreeSlots()
    {
        var free = 0;
        foreach (var slot in _slots)
        {
            if (!slot.IsBusy)
            {
                free++;
            }
        }

        return free;
    }

    private bool AllSlotsFree()
    {
        foreach (var slot in _slots)
        {
            if (slot.IsBusy)
            {
                return false;
            }
        }

        return true;
    }

    private void Dispatch(ExecutorSlot<TItem> slot, int count)
    {
        _pending.TakeInto(slot.Batch, count);
        Interlocked.Add(ref _inFlight, count);
        Interlocked.Add(ref _queued, -count);
        slot.Start();
    }

    private void RunBatch(ExecutorSlot<TItem> slot)
    {
        var count = slot.Batch.Count;
        try
        {
            _executor.Execute(slot.Batch, slot.Index);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _executorFaults);
            EngineLog.ExecuteFailed(_logger, ex, Name, slot.Index, count);
        }
        finally
        {
            Interlocked.Add(ref _inFlight, -count);
        }
    }

    private void DropItem(TItem item, DropReason reason)
    {
        Interlocked.Decrement(ref _queued);
        try
        {
            _executor.Drop(item, reason);
        }
        catch (Exception ex)
        {
            EngineLog.DropFailed(_logger, ex, Name, reason);
        }
    }
}

public enum EnqueueResult
{
    Accepted,
    QueueFull,
    ShuttingDown,
}
