namespace Inference.Engine.Batching;

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
