using Inference.Engine.DependencyInjection;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Preprocessing;
using Inference.Engine.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inference.Bench;

/// <summary>The same model and settings in-process, with no host: the engine's own ceiling.</summary>
internal sealed class EngineTarget : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IInferenceEngine _engine;
    private readonly string _model;
    private readonly byte[] _image;
    private readonly InferenceRequestOptions _options;
    private readonly float[]? _tensor;

    /// <param name="preprocessed">Send the image already preprocessed (InferTensorAsync): measures the model alone.</param>
    public EngineTarget(string repository, string model, int threads, string endpoint, byte[] image, bool preprocessed = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Inference:ModelRepository"] = repository,
            ["Inference:Models:0"] = model,
            ["Inference:ExecutionProvider"] = "auto",
            ["Inference:IntraOpThreads"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _services = new ServiceCollection()
            .AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<IConfiguration>(configuration)
            .AddInferenceEngine(configuration)
            .BuildServiceProvider();
        var failed = _services.GetRequiredService<ModelManager>().LoadAll(CancellationToken.None);
        if (failed.Count > 0)
        {
            throw new InvalidOperationException($"Model '{model}' failed to load; see the log above.");
        }

        _engine = _services.GetRequiredService<IInferenceEngine>();
        _model = model;
        _image = image;
        _options = new InferenceRequestOptions { Outputs = endpoint == "embed" ? InferenceOutputs.Embedding : InferenceOutputs.Logits };
        if (preprocessed)
        {
            var spec = _services.GetRequiredService<IModelCatalog>().Find(model)!.Preprocessing;
            _tensor = new float[spec.TensorLength];
            _services.GetRequiredService<IImagePreprocessor>().Preprocess(image, spec, _tensor);
        }
    }

    public async Task<bool> SendAsync(CancellationToken cancellationToken)
    {
        using var result = _tensor is null
            ? await _engine.InferImageAsync(_model, _image, _options, cancellationToken)
            : await _engine.InferTensorAsync(_model, _tensor, _options, cancellationToken);
        return true;
    }

    /// <summary>Forward passes by batch size since load (warm-up included), from the engine's statistics: <c>batches=size:count,...</c>.</summary>
    public string BatchSizes() =>
        "batches=" + string.Join(',', _services.GetRequiredService<Inference.Engine.Diagnostics.IEngineStatistics>().Snapshot(_model).Batches
            .Select(b => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{b.BatchSize}:{b.Executions}")));

    public async ValueTask DisposeAsync()
    {
        await _services.GetRequiredService<ModelManager>().DrainAsync(TimeSpan.FromSeconds(5));
        await _services.DisposeAsync();
    }
}
