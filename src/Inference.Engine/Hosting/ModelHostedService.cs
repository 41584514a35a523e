using Inference.Engine.Configuration;
using Inference.Engine.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Inference.Engine.Hosting;

/// <summary>
/// Loads the configured models in the background at start-up (the host answers /health/live meanwhile),
/// and drains them on shutdown: readiness flips as soon as stopping begins, queued and running work
/// completes up to the shutdown timeout, then the sessions are disposed.
/// </summary>
internal sealed class ModelHostedService(
    ModelManager models,
    IHostApplicationLifetime lifetime,
    IOptions<InferenceOptions> options) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loading = Task.CompletedTask;
    private CancellationTokenRegistration _onStopping;
    private int _stopped;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _onStopping = lifetime.ApplicationStopping.Register(models.BeginDrain);
        _loading = Task.Factory.StartNew(Load, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped twice (StopApplication, then disposal): the second call has nothing to do.
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        models.BeginDrain();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await models.DrainAsync(options.Value.ShutdownTimeout).ConfigureAwait(false);
        await _onStopping.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private void Load()
    {
        var failed = models.LoadAll(_stopping.Token);
        if (failed.Count > 0 && options.Value.StopOnModelLoadFailure)
        {
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }
}
