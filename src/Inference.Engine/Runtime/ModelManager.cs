using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Inference.Engine.Configuration;
using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Logging;
using Inference.Engine.Models;
using Inference.Onnx;
using Inference.Onnx.Preparation;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Runtime;

/// <summary>
/// The configured models and their lifecycle: Loading -> Ready (or Failed) -> Draining.
/// </summary>
internal sealed partial class ModelManager : IModelCatalog, IEngineGauges, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ModelEntry> _entries = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> _names;
    private readonly bool _stopOnLoadFailure;
    private readonly Func<ModelLoader> _loaderFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private volatile bool _draining;

    public ModelManager(InferenceOptions options, Func<ModelLoader> loaderFactory, TimeProvider timeProvider, ILogger logger)
    {
        _names = options.Models.Distinct(StringComparer.Ordinal).ToArray();
        _stopOnLoadFailure = options.StopOnModelLoadFailure;
        _loaderFactory = loaderFactory;
        _timeProvider = timeProvider;
        _logger = logger;
        foreach (var name in _names)
        {
            _entries[name] = new ModelEntry(new ModelDescriptor { Name = name, Version = "", State = ModelState.Loading }, null);
        }
    }

    public bool IsDraining => _draining;

    /// <summary>
    /// Ready to take traffic: not draining, no model still loading, and at least one model serving. With
    /// <c>StopOnModelLoadFailure</c> (the default) every model must serve; without it, models that failed to load
    /// do not hold readiness back (they are reported as failed, and answer 503).
    /// </summary>
    public bool AllReady
    {
        get
        {
            if (_draining)
            {
                return false;
            }

            var states = _entries.Values.Select(e => e.Descriptor.State).ToArray();
            return states.Contains(ModelState.Ready)
                && !states.Contains(ModelState.Loading)
                && (!_stopOnLoadFailure || states.All(s => s == ModelState.Ready));
        }
    }

    public IReadOnlyList<ModelDescriptor> List() => _names.Select(n => _entries[n].Descriptor).ToArray();

    public ModelDescriptor? Find(string name) => _entries.TryGetValue(name, out var entry) ? entry.Descriptor : null;

    /// <summary>The serving model, or the reason it can't serve.</summary>
    public LoadedModel GetServing(string name)
    {
        if (!_entries.TryGetValue(name, out var entry))
        {
            throw new InferenceException(InferenceErrorCode.ModelNotFound, $"Model '{name}' is not served here. Served models: {string.Join(", ", _names)}.");
        }

        if (_draining)
        {
            throw new InferenceException(InferenceErrorCode.ShuttingDown, "The service is shutting down and accepts no new requests.");
        }

        return entry.Model ?? throw new InferenceException(
            InferenceErrorCode.ModelNotReady,
            entry.Descriptor.State == ModelState.Failed
                ? $"Model '{name}' failed to load: {entry.Descriptor.Error}."
                : $"Model '{name}' is still loading.");
    }

    /// <summary>Loads every configured model in turn; returns the names that failed.</summary>
    public IReadOnlyList<string> LoadAll(CancellationToken cancellationToken)
    {
        var failed = new List<string>();
        var loader = _loaderFactory();
        foreach (var name in _names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var model = loader.Load(name);
                _entries[name] = new ModelEntry(model.Descriptor, model);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The full text (paths, ONNX Runtime's message) goes to the server log only; clients see the safe reason.
                EngineLog.ModelFailed(_logger, e, name, e.Message);
                _entries[name] = new ModelEntry(_entries[name].Descriptor with { State = ModelState.Failed, Error = FailureReason(e, name) }, null);
                failed.Add(name);
            }
        }

        // The prepared models' bytes are garbage now that their sessions exist: give them back (see Release).
        PreparationMemory.Release();
        return failed;
    }

    /// <summary>Flips readiness off at once: new requests are refused from here on.</summary>
    public void BeginDrain()
    {
        _draining = true;
        foreach (var (name, entry) in _entries)
        {
            if (entry.Model is not null)
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
        var models = _entries.Values.Select(e => e.Model).OfType<LoadedModel>().ToArray();
        await Task.WhenAll(models.Select(async model =>
        {
            EngineLog.Draining(_logger, model.Descriptor.Name, model.QueueDepth, timeout);
            await model.DrainAsync(timeoutSource.Token).ConfigureAwait(false);
            await model.DisposeAsync().ConfigureAwait(false);
            EngineLog.Unloaded(_logger, model.Descriptor.Name);
        })).ConfigureAwait(false);
    }

    public IEnumerable<Measurement<int>> QueueDepths() =>
        _entries.Values.Where(e => e.Model is not null).Select(e => new Measurement<int>(e.Model!.QueueDepth, Tag(e)));

    public IEnumerable<Measurement<int>> Readiness() =>
        _entries.Values.Select(e => new Measurement<int>(e.Descriptor.State == ModelState.Ready ? 1 : 0, Tag(e)));

    public IEnumerable<Measurement<double>> Uptimes() =>
        _entries.Values
            .Where(e => e.Descriptor is { State: ModelState.Ready, ReadySince: not null })
            .Select(e => new Measurement<double>((_timeProvider.GetUtcNow() - e.Descriptor.ReadySince!.Value).TotalSeconds, Tag(e)));

    public async ValueTask DisposeAsync()
    {
        foreach (var model in _entries.Values.Select(e => e.Model).OfType<LoadedModel>())
        {
            await model.DisposeAsync().ConfigureAwait(false);
        }

        _entries.Clear();
    }

    /// <summary>
    /// Why a model failed to load, in words safe to show any client: the service's own explanations (a bad
    /// config.json key, a graph that is no image classifier) with every absolute path cut: to the part from the
    /// model's own folder on (<c>resnet50/3/model.onnx</c>, which the client can place), else to its last segment;
    /// for any other failure only its kind, never an exception's text. The full text is in the server log.
    /// </summary>
    internal static string FailureReason(Exception exception, string? model = null) => exception switch
    {
        ModelConfigException or OnnxModelException => WithoutPaths(FirstLine(exception.Message), model).TrimEnd('.'),
        OnnxRuntimeException => "ONNX Runtime could not load the model (details in the server log)",
        FileNotFoundException or DirectoryNotFoundException => "a model file is missing (details in the server log)",
        IOException or UnauthorizedAccessException => "a model file could not be read (details in the server log)",
        OutOfMemoryException => "the server ran out of memory loading it (details in the server log)",
        _ => "it could not be loaded (details in the server log)",
    };

    private static string WithoutPaths(string text, string? model) =>
        AbsolutePath().Replace(text, match => FromModelFolder(match.Value, model) ?? (LastSegment(match.Value) is { Length: > 0 } name ? name : "(path)"));

    private static string? FromModelFolder(string path, string? model)
    {
        if (string.IsNullOrEmpty(model))
        {
            return null;
        }

        var normalized = path.Replace('\\', '/');
        var at = normalized.LastIndexOf($"/{model}/", StringComparison.Ordinal);
        return at < 0 ? null : normalized[(at + 1)..];
    }

    private static string LastSegment(string path)
    {
        var trimmed = path.TrimEnd('/', '\\');
        return trimmed[(trimmed.LastIndexOfAny(['/', '\\']) + 1)..];
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd('\r');

    /// <summary>A Unix or Windows absolute path: up to whitespace, a quote, a comma, a semicolon or a colon.</summary>
    [GeneratedRegex(@"(?<![\w.~])(?:[A-Za-z]:[\\/]|/)[^\s'"",;:]*")]
    private static partial Regex AbsolutePath();

    private static KeyValuePair<string, object?> Tag(ModelEntry entry) => new("model", entry.Descriptor.Name);

    private sealed record ModelEntry(ModelDescriptor Descriptor, LoadedModel? Model);
}
