using Inference.Engine.Configuration;
using Inference.Engine.Models;
using Inference.Engine.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Engine.Hosting;

/// <summary>
/// <c>Inference:ModelControl = poll</c>: rescans the repository every <c>Inference:RepositoryPollInterval</c> once the
/// start-up load is done, and applies each model folder whose files changed. A change is applied once it has settled
/// (two scans in a row saw the same files), so a model.onnx still being copied is never loaded half-written.
/// </summary>
internal sealed class RepositoryPoller(
    ModelManager models, ModelRepository repository, IOptions<InferenceOptions> options, TimeProvider timeProvider, ILogger<RepositoryPoller> logger)
    : BackgroundService
{
    private Dictionary<string, string> _applied = new(StringComparer.Ordinal);
    private Dictionary<string, string> _previous = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.ModelControl != ModelControlMode.Poll)
        {
            return;
        }

        // What start-up loaded is the baseline; changes are measured from it.
        _applied = Scan();
        _previous = _applied;
        using var timer = new PeriodicTimer(options.Value.RepositoryPollInterval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                Poll(stoppingToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                RepositoryLog.ScanFailed(logger, e, repository.Root);
            }
        }
    }

    /// <summary>One rescan: applies the models whose files differ from what was applied and have settled.</summary>
    internal void Poll(CancellationToken cancellationToken)
    {
        var now = Scan();
        var changed = now.Keys.Union(_applied.Keys)
            .Where(name => now.GetValueOrDefault(name) != _applied.GetValueOrDefault(name) && now.GetValueOrDefault(name) == _previous.GetValueOrDefault(name))
            .Order(StringComparer.Ordinal)
            .ToArray();
        _previous = now;
        if (changed.Length == 0)
        {
            return;
        }

        RepositoryLog.Changed(logger, string.Join(", ", changed));
        models.Apply(changed, cancellationToken);
        foreach (var name in changed)
        {
            if (now.TryGetValue(name, out var fingerprint))
            {
                _applied[name] = fingerprint;
            }
            else
            {
                _applied.Remove(name);
            }
        }
    }

    /// <summary>Every model folder's files (name, size, write time), by model name.</summary>
    private Dictionary<string, string> Scan() =>
        repository.ModelNames().ToDictionary(name => name, repository.FolderFingerprint, StringComparer.Ordinal);
}

internal static partial class RepositoryLog
{
    [LoggerMessage(1101, LogLevel.Information, "Model repository changed: {Models}; applying")]
    public static partial void Changed(ILogger logger, string models);

    [LoggerMessage(1102, LogLevel.Warning, "Could not scan the model repository {Root}")]
    public static partial void ScanFailed(ILogger logger, Exception exception, string root);

    [LoggerMessage(1103, LogLevel.Information, "Model {Model} version {Version} retired: its accepted requests answered, session disposed ({Sessions} session(s) alive)")]
    public static partial void VersionRetired(ILogger logger, string model, string version, int sessions);
}
