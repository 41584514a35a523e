using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Inference.Engine.Configuration;
using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Logging;
using Inference.Engine.Models;
using Microsoft.Extensions.Logging;

namespace Inference.Engine.Runtime;

/// <summary>
/// The served models and their versions: Loading -> Ready (or Failed) -> Draining. Each model's state is one
/// immutable <see cref="ModelEntry"/> replaced whole, so a request sees either the versions before a swap or those
/// after it, never a mix; the versions a swap replaced are retired (see <see cref="LoadedModel.RetireAsync"/>).
/// </summary>
internal sealed partial class ModelManager : IModelCatalog, IEngineGauges, IModelRepositoryControl, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ModelEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _changing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _retiring = new();

    /// <summary>Listing order: the configured order, then models added later in the order they appeared.</summary>
    private readonly ConcurrentDictionary<string, long> _rank = new(StringComparer.Ordinal);
    private long _ranked;
    private readonly bool _allModels;
    private readonly bool _stopOnLoadFailure;
    private readonly int _parallelLoads;
    private readonly Lazy<ModelLoader> _loader;
    private readonly ModelRepository _repository;
    private readonly EngineMetrics? _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private volatile bool _draining;

    public ModelManager(
        InferenceOptions options, Func<SessionCounter, ModelLoader> loaderFactory, ModelRepository repository, EngineMetrics? metrics, TimeProvider timeProvider, ILogger logger)
    {
        _allModels = options.Models.Contains(ModelNames.All);
        _stopOnLoadFailure = options.StopOnModelLoadFailure;
        _parallelLoads = options.MaxParallelModelLoads > 0 ? options.MaxParallelModelLoads : Math.Min(Environment.ProcessorCount, 4);
        Mode = options.ModelControl;
        _loader = new Lazy<ModelLoader>(() => loaderFactory(SessionCounter));
        _repository = repository;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
        foreach (var name in ConfiguredNames(options))
        {
            _entries[name] = ModelEntry.Placeholder(name, ModelState.Loading, null);
            Rank(name);
        }
    }

    public ModelControlMode Mode { get; }

    public bool IsDraining => _draining;

    /// <summary>ONNX Runtime sessions alive now (one per served version; a swap briefly holds the old one too).</summary>
    public int LiveSessions => SessionCounter.Live;

    internal SessionCounter SessionCounter { get; } = new();

    /// <summary>
    /// Ready to take traffic: not draining, no model still loading for the first time, and at least one model serving.
    /// With <c>StopOnModelLoadFailure</c> (the default) every configured model must serve; without it, models that
    /// failed to load do not hold readiness back (they are reported as failed, and answer 503). A model swapping
    /// versions keeps serving its old one meanwhile, so readiness holds through a swap.
    /// </summary>
    public bool AllReady
    {
        get
        {
            if (_draining)
            {
                return false;
            }

            var states = _entries.Values.Select(e => e.Descriptor.State).Where(s => s != ModelState.Unloaded).ToArray();
            return states.Contains(ModelState.Ready)
                && !states.Contains(ModelState.Loading)
                && (!_stopOnLoadFailure || states.All(s => s == ModelState.Ready));
        }
    }

    public IReadOnlyList<ModelDescriptor> List() =>
        [.. _entries.Values.OrderBy(e => Rank(e.Name)).Select(e => e.Descriptor)];

    public ModelDescriptor? Find(string name) => _entries.TryGetValue(name, out var entry) ? entry.Descriptor : null;

    public IReadOnlyList<ModelDescriptor> Versions(string name) =>
        _entries.TryGetValue(name, out var entry) ? [.. entry.Serving.Values.Select(s => s.Model.Descriptor)] : [];

    public ModelDescriptor? Find(string name, string version) =>
        _entries.TryGetValue(name, out var entry) && ModelRepository.TryParseVersion(version, out var number) &&
        entry.Serving.TryGetValue(number, out var served)
            ? served.Model.Descriptor
            : null;

    /// <summary>The serving model (the highest ready version, or <paramref name="version"/>), or the reason it can't serve.</summary>
    public LoadedModel GetServing(string name, string? version = null)
    {
        if (!_entries.TryGetValue(name, out var entry))
        {
            throw new InferenceException(
                InferenceErrorCode.ModelNotFound, $"Model '{name}' is not served here. Served models: {string.Join(", ", _entries.Keys.Order(StringComparer.Ordinal))}.");
        }

        if (_draining)
        {
            throw new InferenceException(InferenceErrorCode.ShuttingDown, "The service is shutting down and accepts no new requests.");
        }

        if (!string.IsNullOrEmpty(version))
        {
            return ModelRepository.TryParseVersion(version, out var number) && entry.Serving.TryGetValue(number, out var pinned)
                ? pinned.Model
                : throw new InferenceException(
                    InferenceErrorCode.ModelNotFound,
                    $"Model '{name}' has no version '{version}' ready; ready versions: [{string.Join(", ", entry.Serving.Keys)}].");
        }

        return entry.Serving.IsEmpty
            ? throw new InferenceException(
                InferenceErrorCode.ModelNotReady,
                entry.Descriptor.State == ModelState.Failed
                    ? $"Model '{name}' failed to load: {entry.Descriptor.Error}."
                    : entry.Descriptor.State == ModelState.Unloaded ? $"Model '{name}' is unloaded." : $"Model '{name}' is still loading.")
            : entry.Highest!;
    }

    /// <summary>Flips readiness off at once: new requests are refused from here on.</summary>
    public void BeginDrain()
    {
        _draining = true;
        foreach (var (name, entry) in _entries)
        {
            if (!entry.Serving.IsEmpty)
            {
                _entries[name] = entry with { Descriptor = entry.Descriptor with { State = ModelState.Draining } };
            }
        }
    }

    /// <summary>Completes queued and running work (up to <paramref name="timeout"/>), then disposes the sessions.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        BeginDrain();
        using var timeoutSource = new CancellationTokenSource(timeout, _timeProvider);
        var models = _entries.Values.SelectMany(e => e.Serving.Values).Select(s => s.Model).ToArray();
        await Task.WhenAll(models.Select(async model =>
        {
            EngineLog.Draining(_logger, model.Descriptor.Name, model.QueueDepth, timeout);
            await model.DrainAsync(timeoutSource.Token).ConfigureAwait(false);
            await model.DisposeAsync().ConfigureAwait(false);
            EngineLog.Unloaded(_logger, model.Descriptor.Name);
        })).ConfigureAwait(false);
        await Task.WhenAll(_retiring.Keys).WaitAsync(timeoutSource.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public IEnumerable<Measurement<int>> QueueDepths() =>
        _entries.Values.SelectMany(e => e.Serving.Values).Select(s => new Measurement<int>(s.Model.QueueDepth, Tags(s.Model.Descriptor)));

    /// <summary>Per version: 1 while it serves, 0 while it loads or after it failed (a model with no version yet: version "").</summary>
    public IEnumerable<Measurement<int>> Readiness() =>
        _entries.Values.SelectMany(e => e.Status.IsEmpty
            ? [new Measurement<int>(e.Descriptor.State == ModelState.Ready ? 1 : 0, Tags(e.Name, ""))]
            : e.Status.Select(s => new Measurement<int>(s.Value.State == IndexStates.Ready && !_draining ? 1 : 0, Tags(e.Name, ModelRepository.FormatVersion(s.Key)))));

    public IEnumerable<Measurement<double>> Uptimes() =>
        _entries.Values.SelectMany(e => e.Serving.Values)
            .Where(s => !_draining && s.Model.Descriptor.ReadySince is not null)
            .Select(s => new Measurement<double>((_timeProvider.GetUtcNow() - s.Model.Descriptor.ReadySince!.Value).TotalSeconds, Tags(s.Model.Descriptor)));

    public IEnumerable<Measurement<int>> Sessions() => [new Measurement<int>(LiveSessions)];

    public async ValueTask DisposeAsync()
    {
        foreach (var model in _entries.Values.SelectMany(e => e.Serving.Values).Select(s => s.Model))
        {
            await model.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_retiring.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _entries.Clear();
    }

    private long Rank(string name) => _rank.GetOrAdd(name, _ => Interlocked.Increment(ref _ranked));

    private IEnumerable<string> ConfiguredNames(InferenceOptions options) =>
        _allModels ? _repository.ModelNames() : options.Models.Distinct(StringComparer.Ordinal);

    private static KeyValuePair<string, object?>[] Tags(ModelDescriptor model) => Tags(model.Name, model.Version);

    private static KeyValuePair<string, object?>[] Tags(string model, string version) => [new("model", model), new("version", version)];

    /// <summary>A version this model serves, with the files it was loaded from (a change means a reload).</summary>
    private sealed record Served(LoadedModel Model, string Fingerprint);

    /// <summary>What the repository index says of one version (Triton's states), and the files that state is about.</summary>
    private sealed record VersionStatus(string State, string Reason, string? Fingerprint);

    /// <summary>
    /// One model, replaced whole on every change. <see cref="Descriptor"/> is the highest serving version's (or a
    /// placeholder that says why none serves); <see cref="Serving"/> is what requests are routed to.
    /// </summary>
    private sealed record ModelEntry(
        string Name,
        ModelDescriptor Descriptor,
        ImmutableSortedDictionary<long, Served> Serving,
        ImmutableSortedDictionary<long, VersionStatus> Status)
    {
        /// <summary>What a request without a version gets: the highest serving version (never changed by <c>with</c>: entries with other versions are built anew).</summary>
        public LoadedModel? Highest { get; } = Serving.IsEmpty ? null : Serving.Values.Last().Model;

        public static ModelEntry Placeholder(string name, ModelState state, string? error) => new(
            name,
            new ModelDescriptor { Name = name, Version = "", State = state, Error = error },
            ImmutableSortedDictionary<long, Served>.Empty,
            ImmutableSortedDictionary<long, VersionStatus>.Empty);
    }
}
