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
/// <param name="quantizationCache"><c>Inference:QuantizationCacheDirectory</c>, for models quantized at load.</param>
internal sealed class ModelLoader(
    ModelRepository repository,
    SessionFactory sessions,
    DemoWeights demoWeights,
    string quantizationCache,
    ComputeGate cpuGate,
    EngineMetrics metrics,
    TimeSpan defaultQueueBudget,
    TimeProvider timeProvider,
    ILogger logger,
    SessionCounter? liveSessions = null)
{
    /// <summary>The repository this loader reads (versions, policies and fingerprints come from it too).</summary>
    public ModelRepository Repository => repository;

    /// <summary>Loads version <paramref name="version"/> of <paramref name="name"/> (null: the highest on disk).</summary>
    public LoadedModel Load(string name, long? version = null)
    {
        var started = Stopwatch.GetTimestamp();
        var source = repository.Resolve(name, version);
        var config = source.Config;

        // Resolve the model file path: the repository's model.onnx, else generated demo weights.
        var (modelPath, weights) = source.ModelPath is { } provided
            ? (provided, WeightsSource.Provided)
            : (demoWeights.GetOrCreate(config.Architecture!, config.DemoSeed), WeightsSource.Demo);
        if (weights == WeightsSource.Demo)
        {
            EngineLog.DemoWeights(logger, name, config.Architecture!, config.DemoSeed, modelPath, Path.Combine(source.Directory, ModelRepository.ModelFileName));
        }

        modelPath = Quantization.LoadTimeQuantization.Resolve(source, modelPath, sessions.IntraOpThreads, quantizationCache, logger);
        EngineLog.LoadingModel(logger, name, source.Version, modelPath);
        var prepared = ModelPreparer.Prepare(modelPath, new ModelPreparationOptions
        {
            EmbeddingTensor = config.EmbeddingTensor,
            PreprocessGraphPath = source.PreprocessGraphPath,
            ChannelsLast = config.Layout is null ? null : config.Layout == "NHWC",
        });
        if (prepared.EmbeddingOutputName is { } embeddingTensor)
        {
            EngineLog.EmbeddingTensor(logger, name, embeddingTensor, config.EmbeddingTensor is null ? "found in the graph" : "named in config.json");
        }
        else
        {
            EngineLog.EmbeddingUnavailable(logger, name, prepared.EmbeddingUnavailableReason ?? "none found");
        }

        var (session, provider) = sessions.Create(name, prepared);
        var counted = new CountedSession(session, liveSessions);
        try
        {
            var shape = ProbeShape(session, prepared, config);
            CheckLabels(source, shape, prepared.ModelPath);
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
            var descriptor = Describe(source, prepared, shape, provider, weights, config) with { ReadySince = timeProvider.GetUtcNow(), QueueCapacity = config.QueueCapacity };
            var arena = new SlotArena(config.QueueCapacity + (executors * shape.MaxRunBatch), shape.InputPerImage);
            var runner = new ModelRunner(
                descriptor, session, arena, gate, shape, executors, new ServiceTimeEstimate(perImage), timeProvider,
                (batch, run) => OnBatch(name, source.Version, batch, run), (_, reason) => metrics.Dropped(name, source.Version, reason), logger);
            var queueBudget = config.MaxQueueWaitMs is { } budgetMs ? TimeSpan.FromMilliseconds(budgetMs) : defaultQueueBudget;
            var admission = new Admission(name, runner.ServiceTime, queueBudget, shape.MaxBatchSize, executors, timeProvider, logger);
            var batcher = new DynamicBatcher<InferenceWorkItem>(batching, runner, timeProvider, name, logger);
            var loaded = new LoadedModel(runner, counted, arena, batcher, admission, timeProvider, metrics);

            var elapsed = Stopwatch.GetElapsedTime(started);
            metrics.Loaded(name, source.Version, elapsed);
            EngineLog.ModelReady(
                logger, name, provider, elapsed.TotalSeconds, warmUp.TotalSeconds, prepared.InputName, string.Join('x', descriptor.InputShape),
                shape.LogitsPerImage, prepared.EmbeddingOutputName ?? "(none)", shape.EmbeddingPerImage, shape.MaxBatchSize,
                config.MaxQueueDelayMs, config.QueueCapacity, executors, sessions.IntraOpThreads);
            return loaded;
        }
        catch
        {
            counted.Dispose();
            throw;
        }
    }

    private void OnBatch(string model, string version, IReadOnlyList<InferenceWorkItem> batch, BatchRun run)
    {
        var endedAt = timeProvider.GetUtcNow();
        var startedAt = endedAt - run.Elapsed;
        foreach (var item in batch)
        {
            metrics.QueueWait(model, version, startedAt - item.EnqueuedAt);
        }

        metrics.BatchRan(model, version, run.Size, run.Elapsed);
        EngineTracing.BatchRan(model, batch, startedAt, endedAt);
    }

    /// <summary>
    /// Learns the per-image output widths by running one zero image through the graph, and checks each output is
    /// what the service reads: logits [N, classes], an embedding of any rank (read flat per image).
    /// </summary>
    private static ModelShape ProbeShape(InferenceSession session, PreparedModel prepared, ModelConfig config)
    {
        var dims = prepared.InputDimensions;
        var channelsLast = prepared.InputChannelsLast == true;
        var (heightDim, widthDim) = channelsLast ? (dims[1], dims[2]) : (dims[2], dims[3]);
        var height = (int)(heightDim ?? config.InputSize);
        var width = (int)(widthDim ?? config.InputSize);
        var probeBatch = prepared.FixedBatchSize ?? 1;
        var input = new float[probeBatch * 3 * height * width];
        long[] inputShape = channelsLast ? [probeBatch, height, width, 3] : [probeBatch, 3, height, width];
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        string[] outputNames = [.. new[] { prepared.LogitsOutputName, prepared.EmbeddingOutputName }.OfType<string>()];
        using var runOptions = new RunOptions();
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = session.Run(runOptions, [prepared.InputName], [inputValue], outputNames);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException(
                $"Model '{prepared.ModelPath}': a zero image of shape [{string.Join(", ", inputShape)}] fed to input '{prepared.InputName}' " +
                $"[{Shape(dims)}] failed to run: {e.Message}", e);
        }

        using (outputs)
        {
            var logits = 0;
            var index = 0;
            if (prepared.LogitsOutputName is { } logitsName)
            {
                var found = outputs[index++].GetTensorTypeAndShape().Shape;
                if (found.Length != 2 || found[0] != probeBatch)
                {
                    throw new OnnxModelException(
                        $"Model '{prepared.ModelPath}': output '{logitsName}' has shape [{string.Join(", ", found)}] for input [{string.Join(", ", inputShape)}]; " +
                        $"expected logits [{probeBatch}, classes], or a feature extractor's pooled output [N, C] or [N, C, 1, 1] " +
                        "(a pool's output), or config.json's 'embeddingTensor' naming the pooled tensor.");
                }

                logits = (int)found[1];
            }

            var embedding = prepared.EmbeddingOutputName is null ? 0 : PerImage(outputs[index], probeBatch);
            var maxBatch = prepared.FixedBatchSize is null ? config.MaxBatchSize : 1;
            return new ModelShape(3, height, width, maxBatch, prepared.FixedBatchSize, logits, embedding, channelsLast);
        }
    }

    /// <summary>labels.txt, when present, must hold one line per class.</summary>
    private static void CheckLabels(ModelSource source, ModelShape shape, string modelPath)
    {
        if (source.LabelsPath is { } labelsPath && shape.LogitsPerImage > 0 && source.Labels.Count != shape.LogitsPerImage)
        {
            throw new ModelConfigException(
                $"Model '{source.Name}': {labelsPath} has {source.Labels.Count} labels but '{modelPath}' has {shape.LogitsPerImage} classes; " +
                "labels.txt needs one line per class, in class-index order.");
        }
    }

    private static string Shape(long?[] dims) =>
        string.Join(", ", dims.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"));

    private static int PerImage(OrtValue value, int batch) =>
        checked((int)(value.GetTensorTypeAndShape().ElementCount / batch));

    private static ModelDescriptor Describe(
        ModelSource source, PreparedModel prepared, ModelShape shape, string provider, WeightsSource weights, ModelConfig config) => new()
    {
        Name = source.Name,
        Version = source.Version,
        State = ModelState.Ready,
        InputName = prepared.InputName,
        InputShape = shape.InputShape(prepared.FixedBatchSize ?? -1),
        LogitsOutputName = prepared.LogitsOutputName,
        NumClasses = shape.LogitsPerImage,
        EmbeddingOutputName = prepared.EmbeddingOutputName,
        EmbeddingDimension = prepared.EmbeddingOutputName is null ? null : shape.EmbeddingPerImage,
        EmbeddingUnavailableReason = prepared.EmbeddingOutputName is null ? prepared.EmbeddingUnavailableReason : null,
        MaxBatchSize = shape.MaxRunBatch,
        ExecutionProvider = provider,
        Weights = weights,
        Precision = config.Precision,
        Labels = source.Labels,
        Preprocessing = new PreprocessingSpec
        {
            InputHeight = shape.Height,
            InputWidth = shape.Width,
            ResizeSize = config.ResizeSize,
            // A preprocessGraph takes RGB 0-255 and does its own normalisation.
            Mean = source.PreprocessGraphPath is null ? config.Mean : [0f, 0f, 0f],
            Std = source.PreprocessGraphPath is null ? config.Std : [1f, 1f, 1f],
            PixelRange = source.PreprocessGraphPath is null ? config.PixelRange : 255f,
            ChannelOrder = source.PreprocessGraphPath is null && config.ChannelOrder == "BGR" ? ChannelOrder.Bgr : ChannelOrder.Rgb,
            Layout = shape.ChannelsLast ? TensorLayout.Nhwc : TensorLayout.Nchw,
            ApplyExifOrientation = config.ApplyExifOrientation,
            Mode = config.DecodeMode == "fast" ? DecodeMode.Fast : DecodeMode.Exact,
            Decoder = config.Decoder switch
            {
                "skia" => ImageDecoderKind.Skia,
                "imagesharp" => ImageDecoderKind.ImageSharp,
                "auto" => ImageDecoderKind.Auto,
                _ => null,
            },
        },
    };
}
