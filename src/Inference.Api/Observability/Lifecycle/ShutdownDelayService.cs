using Microsoft.Extensions.Options;

namespace Inference.Api.Observability.Lifecycle;

/// <summary>
/// Runs before the server stops when the host shuts down: makes sure readiness has flipped (stopping the
/// application fires <c>ApplicationStopping</c>, which starts the models' drain), then keeps the listener open for
/// <see cref="LifecycleOptions.ShutdownDelay"/> so that requests still routed here get 503 rather than a refused
/// connection. Kestrel then stops accepting and waits for in-flight requests; the models drain last.
/// </summary>
internal sealed class ShutdownDelayService(
    IHostApplicationLifetime lifetime, IOptions<LifecycleOptions> options, TimeProvider timeProvider, ILogger<ShutdownDelayService> logger)
    : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        lifetime.StopApplication();
        var delay = options.Value.ShutdownDelay;
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        ObservabilityLog.ShutdownDelay(logger, delay);
        await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
