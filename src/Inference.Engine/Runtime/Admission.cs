using System.Globalization;
using Inference.Engine.Inference;
using Inference.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Inference.Engine.Runtime;

/// <summary>
/// The recent time per image of one model: an exponentially weighted moving average of each batch's drain time
/// (<see cref="ModelRunner.DrainTime"/>: what a request queued behind it waits for it) divided by its images.
/// Written by the executor threads, read by every request.
/// </summary>
internal sealed class ServiceTimeEstimate
{
    /// <summary>Weight of the newest batch: about the last ten batches shape the estimate.</summary>
    public const double Smoothing = 0.2;

    private long _perImageTicks;

    /// <param name="initialPerImage">The seed, e.g. the largest warm-up batch's time per image.</param>
    public ServiceTimeEstimate(TimeSpan initialPerImage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialPerImage, TimeSpan.Zero);
        _perImageTicks = initialPerImage.Ticks;
    }

    public TimeSpan PerImage => TimeSpan.FromTicks(Volatile.Read(ref _perImageTicks));

    /// <summary>Folds one batch of <paramref name="images"/> that took <paramref name="elapsed"/> into the average.</summary>
    public void BatchRan(int images, TimeSpan elapsed)
    {
        if (images < 1 || elapsed < TimeSpan.Zero)
        {
            return;
        }

        var sample = elapsed.Ticks / (double)images;
        var seen = Volatile.Read(ref _perImageTicks);
        while (true)
        {
            var next = (long)Math.Round(seen + (Smoothing * (sample - seen)));
            var found = Interlocked.CompareExchange(ref _perImageTicks, next, seen);
            if (found == seen)
            {
                return;
            }

            seen = found;
        }
    }
}

/// <summary>
/// Admission by estimated wait for one model. A request that would wait longer than the model's queue budget,
/// or could not start before its own deadline, is refused at once (<see cref="InferenceErrorCode.QueueFull"/>)
/// instead of queueing: under overload the queue stays short, accepted requests keep their latency, and a
/// refusal costs no preprocessing. The wait is estimated as the requests ahead (queued, and in the batches
/// running now) × the recent drain time per image ÷ the executors; Retry-After is the same estimate, in whole
/// seconds, at least 1. One full batch per executor is always let in on budget grounds: a shorter queue would
/// starve the batcher (a slow model whose single image costs more than the budget still batches), and its wait is
/// at most one batch anyway.
/// Refusals are logged as one aggregated line per model per interval, never one line each.
/// </summary>
internal sealed class Admission : IDisposable
{
    /// <summary>How often at most the aggregated refusal line is written per model.</summary>
    public static readonly TimeSpan DefaultLogInterval = TimeSpan.FromSeconds(10);

    private readonly string _model;
    private readonly int _executors;
    private readonly int _alwaysAdmitted;
    private readonly ILogger _logger;
    private readonly TimeSpan _logInterval;
    private readonly ITimer _logTimer;
    private readonly Lock _lock = new();
    private long _overBudget;
    private long _pastDeadline;
    private long _queueFull;
    private TimeSpan _lastWait;
    private int _lastDepth;
    private TimeSpan _lastPerImage;
    private bool _logArmed;

    public Admission(
        string model, ServiceTimeEstimate serviceTime, TimeSpan queueBudget, int maxBatchSize, int executors, TimeProvider timeProvider,
        ILogger logger, TimeSpan? logInterval = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(serviceTime);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(queueBudget, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(executors, 1);
        _alwaysAdmitted = maxBatchSize * executors;
        _model = model;
        ServiceTime = serviceTime;
        QueueBudget = queueBudget;
        _executors = executors;
        _logger = logger;
        _logInterval = logInterval ?? DefaultLogInterval;
        _logTimer = timeProvider.CreateTimer(
            static state => ((Admission)state!).Flush(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public ServiceTimeEstimate ServiceTime { get; }

    /// <summary>The longest a request may be expected to wait in the queue and still be accepted.</summary>
    public TimeSpan QueueBudget { get; }

    /// <summary>How long a request with <paramref name="ahead"/> requests before it is expected to wait to start.</summary>
    public TimeSpan EstimatedWait(int ahead) =>
        ahead <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks(ServiceTime.PerImage.Ticks * ahead / _executors);

    /// <summary>
    /// The refusal for a request with <paramref name="ahead"/> requests queued before it, <paramref name="running"/>
    /// requests in batches that executors are running now, and the given deadline, or null when it may queue. The
    /// refusal is counted for the aggregated log line. The request starts only once the running batches are done, so
    /// they count in its wait against the queue budget (as if just started: an upper bound, since what they have left
    /// is not known). Without them, measured under overload (resnet18, c256, batches of 8), the accepted requests' p99
    /// was a batch's time further past the budget. The one full batch per executor always admitted is counted among
    /// the queued only, so a model whose single batch takes longer than the budget still forms its next batch while
    /// one runs.
    /// </summary>
    public InferenceException? Check(int ahead, DateTimeOffset now, DateTimeOffset deadline, int running = 0)
    {
        var wait = EstimatedWait(ahead + Math.Max(0, running));
        if (wait > QueueBudget && ahead >= _alwaysAdmitted)
        {
            return Refuse(ref _overBudget, wait, ahead, $"an estimated {Ms(wait)} ms wait ({Ahead(ahead, running)}) exceeds its queue budget of {Ms(QueueBudget)} ms");
        }

        // Against the request's own deadline only the queue counts: the running batches may be nearly done, and a
        // request refused here gets 429 where it might have run. With nobody queued ahead the request is next: a
        // deadline that passes anyway is the batcher's to report (504).
        var queuedWait = EstimatedWait(ahead);
        if (queuedWait > TimeSpan.Zero && queuedWait >= deadline - now)
        {
            return Refuse(ref _pastDeadline, queuedWait, ahead, $"the request could not start within its deadline (estimated wait {Ms(queuedWait)} ms, {ahead} queued)");
        }

        return null;
    }

    private static string Ahead(int queued, int running) => running > 0 ? $"{queued} queued, {running} running" : $"{queued} queued";

    /// <summary>The refusal for a request that found every queue slot taken, counted for the aggregated log line.</summary>
    public InferenceException QueueFull(int ahead)
    {
        var wait = EstimatedWait(ahead);
        return Refuse(ref _queueFull, wait, ahead, $"its queue is full ({ahead} queued, estimated wait {Ms(wait)} ms)");
    }

    /// <summary>Retry-After for an estimated wait: whole seconds, rounded up, at least 1.</summary>
    public static TimeSpan RetryAfterFor(TimeSpan wait) =>
        TimeSpan.FromSeconds(Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)));

    /// <summary>Writes the pending aggregated line now, if any refusal is not yet logged.</summary>
    public void Flush()
    {
        long overBudget, pastDeadline, queueFull;
        TimeSpan wait, perImage;
        int depth;
        lock (_lock)
        {
            _logArmed = false;
            (overBudget, pastDeadline, queueFull) = (_overBudget, _pastDeadline, _queueFull);
            (_overBudget, _pastDeadline, _queueFull) = (0, 0, 0);
            (wait, depth, perImage) = (_lastWait, _lastDepth, _lastPerImage);
        }

        var count = overBudget + pastDeadline + queueFull;
        if (count > 0)
        {
            EngineLog.RequestsRefused(
                _logger, _model, count, _logInterval.TotalSeconds, overBudget, QueueBudget.TotalMilliseconds, pastDeadline, queueFull,
                wait.TotalMilliseconds, depth, perImage.TotalMilliseconds);
        }
    }

    public void Dispose()
    {
        _logTimer.Dispose();
        Flush();
    }

    private InferenceException Refuse(ref long counter, TimeSpan wait, int ahead, string why)
    {
        lock (_lock)
        {
            counter++;
            (_lastWait, _lastDepth, _lastPerImage) = (wait, ahead, ServiceTime.PerImage);
            if (!_logArmed)
            {
                _logArmed = true;
                _logTimer.Change(_logInterval, Timeout.InfiniteTimeSpan);
            }
        }

        var retryAfter = RetryAfterFor(wait);
        return new InferenceException(
            InferenceErrorCode.QueueFull,
            $"Model '{_model}' is overloaded: {why}; retry after {retryAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.")
        {
            RetryAfter = retryAfter,
        };
    }

    private static string Ms(TimeSpan value) => Math.Ceiling(value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
