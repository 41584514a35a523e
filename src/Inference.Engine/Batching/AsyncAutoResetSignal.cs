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
