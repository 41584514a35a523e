using System.Collections.Concurrent;
using System.Collections.Immutable;
using Inference.Engine.Configuration;
using Inference.Engine.Hosting;
using Inference.Engine.Logging;
using Inference.Engine.Models;
using Inference.Onnx.Preparation;
using Inference.Preprocessing;

namespace Inference.Engine.Runtime;

/// <summary>
/// Applying the repository to the served set: which versions a model's policy wants, loading the new or changed ones
/// beside those serving, switching routing in one step, and retiring what was replaced or removed.
/// </summary>
internal sealed partial class ModelManager
{
    /// <summary>
    /// Loads every configured model, several at once (bounded by <c>Inference:MaxParallelModelLoads</c>); returns the
    /// names that serve no version.
    /// </summary>
    public IReadOnlyList<string> LoadAll(CancellationToken cancellationToken)
    {
        var failed = new ConcurrentBag<string>();
        EngineLog.JpegDecoder(_logger, ImagePreprocessor.SystemJpegLibrary is { } library
            ? $"full-size JPEGs through the system's libjpeg-turbo ({library}, SIMD)"
            : "Skia's bundled libjpeg-turbo, without SIMD: libturbojpeg.so.0 was not found (installing libturbojpeg0 decodes JPEGs in about 0.6x the time)");

        // Longest first, each worker taking the next model when it is free: with 2 loads at once on 2 cores, resnet152
        // started last used to finish alone on a machine that had nothing else left to do.
        var ordered = _entries.Keys.OrderByDescending(LoadCost).ThenBy(Rank).ToArray();
        Parallel.ForEach(
            Partitioner.Create(ordered, EnumerablePartitionerOptions.NoBuffering),
            new ParallelOptions { MaxDegreeOfParallelism = _parallelLoads, CancellationToken = cancellationToken },
            name =>
            {
                if (!Apply(name, retryFailed: true, cancellationToken).Serving)
                {
                    failed.Add(name);
                }
            });

        // The prepared models' bytes are garbage now that their sessions exist: give them back (see Release).
        PreparationMemory.Release();
        return [.. failed.OrderBy(Rank)];
    }

    /// <summary>
    /// A model's relative cost to load (prepare, create the session, warm up): its file's size, or for demo weights
    /// about what the generated file will weigh (1.6 MB per layer of depth: resnet152 241 MB). Only the order matters.
    /// </summary>
    private long LoadCost(string name)
    {
        try
        {
            var source = _repository.Resolve(name);
            if (source.ModelPath is { } path)
            {
                return new FileInfo(path).Length;
            }

            var depth = new string([.. (source.Config.Architecture ?? "").Where(char.IsAsciiDigit)]);
            return int.TryParse(depth, out var layers) ? layers * 1_600_000L : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or ModelConfigException or ModelControlException)
        {
            return 0; // Its load reports what is wrong with it.
        }
    }

    /// <summary>
    /// Rescans the repository (the poller): applies each model whose folder changed, adds new folders when
    /// <c>Inference:Models</c> is <c>["*"]</c>, and unloads models whose folder is gone.
    /// </summary>
    public void Apply(IEnumerable<string> changed, CancellationToken cancellationToken)
    {
        foreach (var name in changed)
        {
            if (_allModels || _entries.ContainsKey(name))
            {
                cancellationToken.ThrowIfCancellationRequested();
                Apply(name, retryFailed: false, cancellationToken);
            }
        }
    }

    public IReadOnlyList<RepositoryIndexEntry> Index(bool readyOnly)
    {
        var names = _repository.ModelNames().Union(_entries.Keys).Order(StringComparer.Ordinal);
        var index = new List<RepositoryIndexEntry>();
        foreach (var name in names)
        {
            var status = _entries.TryGetValue(name, out var entry) ? entry.Status : ImmutableSortedDictionary<long, VersionStatus>.Empty;
            if (status.IsEmpty && !readyOnly)
            {
                var state = entry?.Descriptor.State == ModelState.Failed ? IndexStates.Unavailable : entry is null ? "" : IndexStates.Loading;
                index.Add(new RepositoryIndexEntry(name, "", state, entry?.Descriptor.Error ?? ""));
            }

            index.AddRange(status
                .Where(s => !readyOnly || s.Value.State == IndexStates.Ready)
                .Select(s => new RepositoryIndexEntry(name, ModelRepository.FormatVersion(s.Key), s.Value.State, s.Value.Reason)));
        }

        return index;
    }

    public async Task LoadAsync(string name, CancellationToken cancellationToken)
    {
        CheckName(name);
        if (_repository.Versions(name).Count == 0)
        {
            throw new ModelControlException(ModelControlError.NotFound, $"The model repository has no folder '{name}'.");
        }

        // Loading is CPU-bound and synchronous (graph preparation, session creation, warm-up): off the request thread.
        var outcome = await Task.Run(() => Apply(name, retryFailed: true, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (outcome.Failure is { } failure)
        {
            throw new ModelControlException(
                ModelControlError.LoadFailed,
                $"Model '{name}' failed to load: {failure}" + (outcome.Serving ? "; the versions loaded before keep serving." : "."));
        }
    }

    public async Task UnloadAsync(string name, CancellationToken cancellationToken)
    {
        CheckName(name);
        if (Mode == ModelControlMode.Poll)
        {
            throw new ModelControlException(
                ModelControlError.NotAllowed, "Unload is refused under Inference:ModelControl 'poll': the repository decides; remove the model's folder instead.");
        }

        if (!_entries.TryGetValue(name, out var entry) || entry.Serving.IsEmpty)
        {
            throw new ModelControlException(ModelControlError.NotFound, $"Model '{name}' is not loaded.");
        }

        var gate = _changing.GetOrAdd(name, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            entry = _entries[name];
            var status = entry.Status.ToBuilder();
            foreach (var version in entry.Serving.Keys)
            {
                status[version] = new VersionStatus(IndexStates.Unavailable, "unloaded", null);
            }

            _entries[name] = ModelEntry.Placeholder(name, ModelState.Unloaded, "unloaded") with { Status = status.ToImmutable() };
            foreach (var served in entry.Serving.Values)
            {
                Retire(served.Model);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private static void CheckName(string name)
    {
        if (!ModelRepository.IsValidName(name))
        {
            throw new ModelControlException(
                ModelControlError.InvalidName, "A model name is a folder name of the repository: letters, digits, '.', '_' and '-' (at most 128).");
        }
    }

    /// <summary>One model at a time per name; returns whether it serves afterwards and why a version failed, if one did.</summary>
    private (bool Serving, string? Failure) Apply(string name, bool retryFailed, CancellationToken cancellationToken)
    {
        var gate = _changing.GetOrAdd(name, static _ => new SemaphoreSlim(1, 1));
        gate.Wait(cancellationToken);
        try
        {
            return _draining ? (false, null) : ApplyLocked(name, retryFailed);
        }
        finally
        {
            gate.Release();
        }
    }

    private (bool Serving, string? Failure) ApplyLocked(string name, bool retryFailed)
    {
        var entry = _entries.GetValueOrDefault(name) ?? ModelEntry.Placeholder(name, ModelState.Loading, null);
        IReadOnlyList<long> onDisk;
        IReadOnlyList<long> wanted;
        try
        {
            onDisk = _repository.Versions(name);
            wanted = _repository.PolicyOf(name).Select(onDisk);
        }
        catch (Exception e) when (e is ModelConfigException or IOException or UnauthorizedAccessException)
        {
            // An unreadable config.json changes nothing that serves; it is reported until it is fixed.
            var reason = Failed(name, e);
            _entries[name] = entry.Serving.IsEmpty ? ModelEntry.Placeholder(name, ModelState.Failed, reason) with { Status = entry.Status } : entry;
            return (!entry.Serving.IsEmpty, reason);
        }

        if (onDisk.Count == 0 && _allModels)
        {
            // The folder is gone and the model came from it: it leaves the catalog once its requests are answered.
            _entries.TryRemove(name, out _);
            RetireAll(entry);
            return (false, null);
        }

        var serving = entry.Serving.ToBuilder();
        var status = entry.Status.ToBuilder();
        var retire = new List<LoadedModel>();
        string? failure = null;
        foreach (var version in wanted)
        {
            var fingerprint = _repository.Fingerprint(name, version);
            serving.TryGetValue(version, out var current);
            var known = status.GetValueOrDefault(version);
            if (current?.Fingerprint == fingerprint)
            {
                continue;
            }

            if (!retryFailed && known is { State: IndexStates.Unavailable } && known.Fingerprint == fingerprint)
            {
                // Failed before and its files have not changed: not retried until they do (or an explicit load).
                failure ??= known.Reason;
                continue;
            }

            status[version] = new VersionStatus(IndexStates.Loading, "", fingerprint);
            _entries[name] = entry with { Status = status.ToImmutable() };
            try
            {
                var model = _loader.Value.Load(name, version);
                serving[version] = new Served(model, fingerprint);
                status[version] = new VersionStatus(IndexStates.Ready, "", fingerprint);
                _metrics?.LoadOutcome(name, LoadOutcomes.Loaded);
                if (current is not null)
                {
                    retire.Add(current.Model);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = $"version {ModelRepository.FormatVersion(version)}: {Failed(name, e)}";
                status[version] = new VersionStatus(IndexStates.Unavailable, failure, fingerprint);
            }
        }

        // A version that failed to load leaves the ones serving before in place, even those its policy would drop.
        foreach (var version in serving.Keys.Where(v => failure is null && !wanted.Contains(v)).ToArray())
        {
            retire.Add(serving[version].Model);
            serving.Remove(version);
            status[version] = new VersionStatus(IndexStates.Unavailable, "unloaded", null);
        }

        foreach (var version in status.Keys.Where(v => !onDisk.Contains(v) && !serving.ContainsKey(v)).ToArray())
        {
            status.Remove(version);
        }

        _entries[name] = Build(name, serving.ToImmutable(), status.ToImmutable(), onDisk.Count == 0 && !entry.Serving.IsEmpty, failure);
        foreach (var model in retire)
        {
            Retire(model);
        }

        return (serving.Count > 0, failure);
    }

    /// <summary>The new entry: the highest serving version describes the model; with none, why (a removed folder is unloaded, not failed).</summary>
    private ModelEntry Build(
        string name, ImmutableSortedDictionary<long, Served> serving, ImmutableSortedDictionary<long, VersionStatus> status, bool removed, string? failure)
    {
        if (!serving.IsEmpty)
        {
            return new ModelEntry(name, serving.Values.Last().Model.Descriptor, serving, status);
        }

        if (removed)
        {
            return ModelEntry.Placeholder(name, ModelState.Unloaded, "its folder was removed from the model repository") with { Status = status };
        }

        var reason = failure
            ?? (_repository.Versions(name).Count == 0 ? $"Model '{name}': no folder '{name}' in the model repository"
            : status.IsEmpty ? $"Model '{name}': no version folder matches its versionPolicy" : status.Values.Last().Reason);
        return ModelEntry.Placeholder(name, ModelState.Failed, reason) with { Status = status };
    }

    private string Failed(string name, Exception e)
    {
        // The full text (paths, ONNX Runtime's message) goes to the server log only; clients see the safe reason.
        EngineLog.ModelFailed(_logger, e, name, e.Message);
        _metrics?.LoadOutcome(name, LoadOutcomes.Failed);
        return FailureReason(e, name);
    }

    private void RetireAll(ModelEntry entry)
    {
        foreach (var served in entry.Serving.Values)
        {
            Retire(served.Model);
        }
    }

    /// <summary>
    /// Retires a version routing no longer finds: it answers what it accepted, then its session is disposed. Tracked so
    /// that shutdown waits for it.
    /// </summary>
    private void Retire(LoadedModel model)
    {
        var descriptor = model.Descriptor;
        var retiring = Task.Run(async () =>
        {
            await model.RetireAsync(CancellationToken.None).ConfigureAwait(false);

            // The session's native memory is freed on dispose, but the managed side (the old model's and the new load's
            // ONNX bytes on the large-object heap) waits for a full GC that an idle server may not run for a long
            // time: bench/swap.sh measured RSS 453 MiB before a resnet18 swap and 590 MiB after without this. One
            // compacting collection per swap (rare) returns it.
            PreparationMemory.Release();
            _metrics?.LoadOutcome(descriptor.Name, LoadOutcomes.Unloaded);
            RepositoryLog.VersionRetired(_logger, descriptor.Name, descriptor.Version, LiveSessions);
        });
        _retiring.TryAdd(retiring, 0);
        _ = retiring.ContinueWith(done => _retiring.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}

/// <summary>The <c>outcome</c> label of <c>inference_model_loads_total</c> (a closed set).</summary>
public static class LoadOutcomes
{
    public const string Loaded = "loaded";
    public const string Failed = "failed";
    public const string Unloaded = "unloaded";
}
