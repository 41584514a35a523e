using System.Diagnostics;
using Inference.Engine.Configuration;
using Inference.Engine.Diagnostics;
using Inference.Engine.Runtime;
using Inference.Preprocessing;

namespace Inference.Engine.Inference;

/// <summary>
/// Preprocesses on the caller's thread straight into a slot of the model's pinned batch input, then
/// hands the slot to the model's dynamic batcher.
/// </summary>
internal sealed class InferenceEngine(
    ModelManager models,
    IImagePreprocessor preprocessor,
    InferenceOptions options,
    EngineMetrics metrics,
    TimeProvider timeProvider) : IInferenceEngine
{
    public ValueTask<InferenceResult> InferImageAsync(
        string model, ReadOnlyMemory<byte> encodedImage, InferenceRequestOptions requestOptions, CancellationToken cancellationToken)
    {
        var serving = Serving(model);
        var deadline = Deadline(requestOptions);
        var slot = RentSlot(serving);
        using (var activity = EngineTracing.StartPreprocess(model, encodedImage.Length))
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                var decoded = preprocessor.Preprocess(encodedImage.Span, serving.PreprocessingFor(requestOptions.DecodeMode), serving.Slot(slot));
                metrics.Preprocessed(model, Stopwatch.GetElapsedTime(started));
                EngineTracing.Preprocessed(activity, decoded);
            }
            catch (Exception e)
            {
                EngineTracing.Failed(activity, e);
                serving.ReturnSlot(slot);
                throw;
            }
        }

        return Submit(serving, slot, deadline, requestOptions, cancellationToken);
    }

    public ValueTask<InferenceResult> InferTensorAsync(
        string model, ReadOnlyMemory<float> chw, InferenceRequestOptions requestOptions, CancellationToken cancellationToken)
    {
        var serving = Serving(model);
        if (chw.Length != serving.InputPerImage)
        {
            var shape = serving.Descriptor.InputShape;
            throw new InferenceException(
                InferenceErrorCode.InvalidInput,
                $"Model '{model}' takes {serving.InputPerImage} floats per image ([{shape[1]}, {shape[2]}, {shape[3]}]); got {chw.Length}.");
        }

        var deadline = Deadline(requestOptions);
        var slot = RentSlot(serving);
        chw.Span.CopyTo(serving.Slot(slot));
        return Submit(serving, slot, deadline, requestOptions, cancellationToken);
    }

    private ValueTask<InferenceResult> Submit(
        LoadedModel serving, int slot, DateTimeOffset deadline, InferenceRequestOptions requestOptions, CancellationToken cancellationToken)
    {
        if (requestOptions.Outputs == InferenceOutputs.Embedding && serving.Descriptor.EmbeddingOutputName is null)
        {
            serving.ReturnSlot(slot);
            throw new InferenceException(
                InferenceErrorCode.OutputNotAvailable,
                $"Model '{serving.Descriptor.Name}' has no embedding tensor: none was found in the graph and config.json names none ('embeddingTensor').");
        }

        if (requestOptions.Outputs == InferenceOutputs.Logits && serving.Descriptor.LogitsOutputName is null)
        {
            serving.ReturnSlot(slot);
            throw new InferenceException(
                InferenceErrorCode.OutputNotAvailable,
                $"Model '{serving.Descriptor.Name}' is a feature extractor: it has no classification output; it serves embed only.");
        }

        return serving.RunAsync(slot, timeProvider.GetUtcNow(), deadline, requestOptions.Outputs, cancellationToken);
    }

    /// <summary>The serving model; a request refused because the service is draining counts as a <c>shutdown</c> rejection.</summary>
    private LoadedModel Serving(string model)
    {
        try
        {
            return models.GetServing(model);
        }
        catch (InferenceException e) when (e.Code == InferenceErrorCode.ShuttingDown)
        {
            metrics.Rejected(model, RejectReasons.Shutdown);
            throw;
        }
    }

    private int RentSlot(LoadedModel serving)
    {
        var slot = serving.TryRentSlot();
        if (slot < 0)
        {
            metrics.Rejected(serving.Descriptor.Name, RejectReasons.QueueFull);
            throw new InferenceException(InferenceErrorCode.QueueFull, $"The queue of model '{serving.Descriptor.Name}' is full; retry shortly.")
            {
                RetryAfter = TimeSpan.FromSeconds(1),
            };
        }

        return slot;
    }

    private DateTimeOffset Deadline(InferenceRequestOptions requestOptions)
    {
        var timeout = requestOptions.Timeout is { } requested && requested < options.RequestTimeout ? requested : options.RequestTimeout;
        return timeProvider.GetUtcNow() + timeout;
    }
}
