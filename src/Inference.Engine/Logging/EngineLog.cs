using Inference.Engine.Batching;
using Microsoft.Extensions.Logging;

namespace Inference.Engine.Logging;

/// <summary>The engine's log events (source-generated; no image bytes or secrets in any of them).</summary>
internal static partial class EngineLog
{
    [LoggerMessage(1001, LogLevel.Information, "Loading model {Model} version {Version} from {Path}")]
    public static partial void LoadingModel(ILogger logger, string model, string version, string path);

    [LoggerMessage(1002, LogLevel.Information,
        "Model {Model} ready on {Provider} in {LoadSeconds:F2}s (warm-up {WarmUpSeconds:F2}s): input {Input} {InputShape}, {Classes} classes, embedding {Embedding} [{EmbeddingDimension}], batching max {MaxBatch} / delay {DelayMs}ms / queue {QueueCapacity} / executors {Executors}, intra-op threads {Threads}")]
    public static partial void ModelReady(
        ILogger logger, string model, string provider, double loadSeconds, double warmUpSeconds, string input, string inputShape, int classes,
        string embedding, int embeddingDimension, int maxBatch, double delayMs, int queueCapacity, int executors, int threads);

    [LoggerMessage(1003, LogLevel.Critical, "Model {Model} failed to load: {Reason}")]
    public static partial void ModelFailed(ILogger logger, Exception exception, string model, string reason);

    [LoggerMessage(1004, LogLevel.Warning,
        "Model {Model} has no model.onnx: serving DEMO weights (seeded {Architecture}, seed {Seed}) from {Path}. Its predictions are MEANINGLESS. Put a real export at {Expected} to serve real predictions.")]
    public static partial void DemoWeights(ILogger logger, string model, string architecture, ulong seed, string path, string expected);

    [LoggerMessage(1005, LogLevel.Information, "Generated demo weights for {Architecture} in {Seconds:F1}s at {Path}")]
    public static partial void DemoWeightsGenerated(ILogger logger, string architecture, double seconds, string path);

    [LoggerMessage(1006, LogLevel.Information, "Execution provider for {Model}: {Provider} ({Reason})")]
    public static partial void ProviderChosen(ILogger logger, string model, string provider, string reason);

    [LoggerMessage(1007, LogLevel.Warning, "CUDA is not available for {Model}, falling back to CPU: {Reason}")]
    public static partial void CudaFallback(ILogger logger, string model, string reason);

    [LoggerMessage(1008, LogLevel.Information, "Draining model {Model}: {Queued} queued request(s), timeout {Timeout}")]
    public static partial void Draining(ILogger logger, string model, int queued, TimeSpan timeout);

    [LoggerMessage(1009, LogLevel.Information, "Model {Model} drained and unloaded")]
    public static partial void Unloaded(ILogger logger, string model);

    [LoggerMessage(1014, LogLevel.Warning,
        "ONNX Runtime kept files mapped after loading them ({Mappings}); loading the model again with its weights read in, so that its files can be replaced in place while it serves")]
    public static partial void WeightsStillMapped(ILogger logger, string mappings);

    [LoggerMessage(1015, LogLevel.Warning,
        "ONNX Runtime kept files mapped after loading them ({Mappings}), and the model is too large (over 2 GiB) to load with its weights read in: replace these files by renaming new ones into place, never by writing over them, or the process can crash")]
    public static partial void WeightsMappedTooLargeToReadIn(ILogger logger, string mappings);

    [LoggerMessage(1013, LogLevel.Information, "JPEG decoding under the 'auto' decoder: {Decoder}")]
    public static partial void JpegDecoder(ILogger logger, string decoder);

    [LoggerMessage(1010, LogLevel.Information, "Embedding tensor of {Model}: {Tensor} ({Source})")]
    public static partial void EmbeddingTensor(ILogger logger, string model, string tensor, string source);

    [LoggerMessage(1051, LogLevel.Warning, "Model {Model} serves no embed: {Reason}")]
    public static partial void EmbeddingUnavailable(ILogger logger, string model, string reason);

    [LoggerMessage(1011, LogLevel.Warning,
        "Model {Model} refused {Count} request(s) in the last {IntervalSeconds:F0}s: {OverBudget} would wait past the queue budget of {BudgetMs:F0} ms, {PastDeadline} could not start before their deadline, {QueueFull} found every queue slot taken; estimated wait at the last refusal {EstimatedWaitMs:F0} ms ({Depth} queued x {PerImageMs:F1} ms per image)")]
    public static partial void RequestsRefused(
        ILogger logger, string model, long count, double intervalSeconds, long overBudget, double budgetMs, long pastDeadline, long queueFull,
        double estimatedWaitMs, int depth, double perImageMs);

    [LoggerMessage(1012, LogLevel.Error, "Model {Model}: ONNX Runtime failed running a batch of {BatchSize}; its requests fail with 500 / INTERNAL")]
    public static partial void BatchFailed(ILogger logger, Exception exception, string model, int batchSize);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error,
        Message = "Batcher {Name}: executor {ExecutorIndex} threw while running a batch of {BatchSize}; the executor thread keeps running")]
    public static partial void ExecuteFailed(ILogger logger, Exception exception, string name, int executorIndex, int batchSize);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error,
        Message = "Batcher {Name}: executor threw while dropping an item ({Reason})")]
    public static partial void DropFailed(ILogger logger, Exception exception, string name, DropReason reason);
}
