using System.Diagnostics;
using Inference.Engine.Batching;
using Inference.Engine.Configuration;
using Inference.Engine.Diagnostics;
using Inference.Engine.Logging;
using Inference.Engine.Models;
using Inference.Onnx;
using Inference.Onnx.Preparation;
using Inference.Preprocessing;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Runtime;

/// <summary>Turns a repository entry into a warmed-up <see cref="LoadedModel"/>.</summary>
internal sealed class ModelLoader(
    ModelRepository repository,
    SessionFactory sessions,
    DemoWeights demoWeights,
    ComputeGate cpuGate,
    EngineMetrics metrics,
    TimeSpan defaultQueueBudget,
    TimeProvider timeProvider,
    ILogger logger)
{
    public LoadedModel Load(string name)
    {
        var started = Stopwatch.GetTimestamp();
        var source = repository.Resolve(name);
        var config = source.Config;
        var (modelPath, weights) = source.ModelPath is { } provided
            ? (provided, WeightsSource.Provided)
            : (demoWeights.GetOrCreate(config.Architecture!, config.DemoSeed), WeightsSource.Demo);
        if (weights == WeightsSource.Demo)
        {
            EngineLog.DemoWeights(logger, name, config.Architecture!, config.DemoSeed, modelPath, Path.Combine(source.Directory, ModelRepository.ModelFileName));
        }

        EngineLog.LoadingModel(logger, name, source.Version, modelPath);
        var prepared = ModelPreparer.Prepare(modelPath, config.EmbeddingTensor);
        if (prepared.EmbeddingOutputName is { } embeddingTensor)
        {
            EngineLog.EmbeddingTensor(logger, name, embeddingTensor, config.EmbeddingTensor is null ? "found in the graph" : "named in config.json");
        }

        var (session, provider) = sessions.Create(name, prepared);
        try
        {
            var shape = ProbeShape(session, prepared, config);
            var executors = config.Executors ?? (provider == "CUDA" ? 2 : 1);
            var gate = provider == "CPU" ? cpuGate : null;
            var warmUpStarted = Stopwatch.GetTimestamp();
            var perImage = ModelRunner.WarmUp(
                session, gate, shape, prepared.InputName, prepared.LogitsOutputName, prepared.EmbeddingOutputName, timeProvider);
            var warmUp = Stopwatch.GetElapsedTime(warmUpStarted);

            var batching = new BatchingOptions
            {
                MaxBatchSize = shape.MaxBatchSize,
                MaxQueueDelay = TimeSpan.FromMilliseconds(config.MaxQueueDelayMs),
                QueueCapacity = config.QueueCapacity,
                Executors = executors,
            };
            var descriptor = Describe(source, prepared, shape, provider, weights, config) with { ReadySince = timeProvider.GetUtcNow() };
            var arena = new SlotArena(config.QueueCapacity + (executors * shape.MaxRunBatch), shape.InputPerImage);
            var runner = new ModelRunner(
                descriptor, session, arena, gate, shape, executors, new ServiceTimeEstimate(perImage), timeProvider,
                (batch, run) => OnBatch(name, batch, run), (_, reason) => metrics.Dropped(name, reason), logger);
            var queueBudget = config.MaxQueueWaitMs is { } budgetMs ? TimeSpan.FromMilliseconds(budgetMs) : defaultQueueBudget;
            var admission = new Admission(name, runner.ServiceTime, queueBudget, shape.MaxBatchSize, executors, timeProvider, logger);
            var batcher = new DynamicBatcher<InferenceWorkItem>(batching, runner, timeProvider, name, logger);
            var loaded = new LoadedModel(runner, session, arena, batcher, admission, timeProvider, metrics);

            var elapsed = Stopwatch.GetElapsedTime(started);
            metrics.Loaded(name, elapsed);
            EngineLog.ModelReady(
                logger, name, provider, elapsed.TotalSeconds, warmUp.TotalSeconds, prepared.InputName, string.Join('x', descriptor.InputShape),
                shape.LogitsPerImage, prepared.EmbeddingOutputName ?? "(none)", shape.EmbeddingPerImage, shape.MaxBatchSize,
                config.MaxQueueDelayMs, config.QueueCapacity, executors, sessions.IntraOpThreads);
            return loaded;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private void OnBatch(string model, IReadOnlyList<InferenceWorkItem> batch, BatchRun run)
    {
        var endedAt = timeProvider.GetUtcNow();
        var startedAt = endedAt - run.Elapsed;
        foreach (var item in batch)
        {
            metrics.QueueWait(model, startedAt - item.EnqueuedAt);
        }

        metrics.BatchRan(model, run.Size, run.Elapsed);
        EngineTracing.BatchRan(model, batch, startedAt, endedAt);
    }

    /// <summary>Learns the per-image output widths by running one zero image through the graph.</summary>
    private static ModelShape ProbeShape(InferenceSession session, PreparedModel prepared, ModelConfig config)
    {
        var dims = prepared.InputDimensions;
        if (dims.Length != 4 || dims[1] is not (null or 3))
        {
            throw new OnnxModelException(
                $"Input '{prepared.InputName}' has shape [{string.Join(", ", dims.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"))}]; an NCHW image input [N, 3, H, W] is required.");
        }

        var height = (int)(dims[2] ?? config.InputSize);
        var width = (int)(dims[3] ?? config.InputSize);
        var probeBatch = prepared.FixedBatchSize ?? 1;
        var input = new float[probeBatch * 3 * height * width];
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [probeBatch, 3, height, width]);
        string[] outputNames = prepared.EmbeddingOutputName is null
            ? [prepared.LogitsOutputName]
            : [prepared.LogitsOutputName, prepared.EmbeddingOutputName];
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [prepared.InputName], [inputValue], outputNames);
        var logits = PerImage(outputs[0], probeBatch);
        var embedding = outputs.Count > 1 ? PerImage(outputs[1], probeBatch) : 0;
        var maxBatch = prepared.FixedBatchSize is null ? config.MaxBatchSize : 1;
        return new ModelShape(3, height, width, maxBatch, prepared.FixedBatchSize, logits, embedding);
    }

    private static int PerImage(OrtValue value, int batch) =>
        checked((int)(value.GetTensorTypeAndShape().ElementCount / batch));

    private static ModelDescriptor Describe(
        ModelSource source, PreparedModel prepared, ModelShape shape, string provider, WeightsSource weights, ModelConfig config) => new()
    {
        Name = source.Name,
        Version = source.Version,
        State = ModelState.Ready,
        InputName = prepared.InputName,
        InputShape = [prepared.FixedBatchSize ?? -1, shape.Channels, shape.Height, shape.Width],
        LogitsOutputName = prepared.LogitsOutputName,
        NumClasses = shape.LogitsPerImage,
        EmbeddingOutputName = prepared.EmbeddingOutputName,
        EmbeddingDimension = prepared.EmbeddingOutputName is null ? null : shape.EmbeddingPerImage,
        MaxBatchSize = shape.MaxRunBatch,
        ExecutionProvider = provider,
        Weights = weights,
        Labels = source.Labels,
        Preprocessing = new PreprocessingSpec
        {
            InputHeight = shape.Height,
            InputWidth = shape.Width,
            ResizeSize = config.ResizeSize,
            Mean = config.Mean,
            Std = config.Std,
            ApplyExifOrientation = config.ApplyExifOrientation,
            Mode = config.DecodeMode == "fast" ? DecodeMode.Fast : DecodeMode.Exact,
        },
    };
}
