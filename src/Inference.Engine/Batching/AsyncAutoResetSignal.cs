using System.Threading.Tasks.Sources;

namespace Inference.Engine.Batching;

/// <summary>
/// An allocation-free auto-reset event with a single async waiter (the scheduler loop) and any number of
/// setters. Sets that arrive while nobody waits coalesce into one pending wake-up.
/// </summary>
internal sealed class AsyncAutoResetSignal : IValueTaskSource
{
    private readonly Lock _lock = new();
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private bool _signaled;
    private bool _waiting;

    /// <summary>True while the waiter is parked and no wake-up is pending (used by tests to detect quiescence).</summary>
    public bool IsParked
    {
        get
        {
            lock (_lock)
            {
                return _waiting && !_signaled;
            }
        }
    }

    public ValueTask WaitAsync()
    {
        lock (_lock)
        {
            if (_waiting)
            {
                throw new InvalidOperationException("AsyncAutoResetSignal supports a single waiter.");
            }

            if (_signaled)
            {
                _signaled = false;
                return ValueTask.CompletedTask;
            }

            _core.Reset();
            _waiting = true;
            return new ValueTask(this, _core.Version);
        }
    }

    public void Set()
    {
        lock (_lock)
        {
            if (!_waiting)
            {
                _signaled = true;
                return;
            }

            _waiting = false;
        }

        _core.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(
        Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>One reusable <see cref="TimeProvider"/> timer that wakes the scheduler loop at a given instant.</summary>
internal sealed class WakeTimer(TimeProvider timeProvider, AsyncAutoResetSignal signal) : IDisposable
{
    private readonly ITimer _timer = timeProvider.CreateTimer(
        static state => ((AsyncAutoResetSignal)state!).Set(), signal, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    private bool _armed;

    /// <summary>Arms the timer for <paramref name="wakeAt"/>, or disarms it for <see cref="DateTimeOffset.MaxValue"/>.</summary>
    public void WakeAt(DateTimeOffset now, DateTimeOffset wakeAt)
    {
        if (wakeAt == DateTimeOffset.MaxValue)
        {
            Disarm();
            return;
        }

        // Whole milliseconds, rounded up: real timers truncate sub-millisecond due times, which would wake the
        // loop early and make it spin until the instant is reached.
        var ticks = Math.Max(0, (wakeAt - now).Ticks);
        ticks = (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond;
        _timer.Change(TimeSpan.FromTicks(ticks), Timeout.InfiniteTimeSpan);
        _armed = true;
    }

    public void Disarm()
    {
        if (_armed)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _armed = false;
        }
    }

    public void Dispose() => _timer.Dispose();
}
