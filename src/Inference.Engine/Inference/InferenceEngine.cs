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
        var deadline = Deadline(requestOptions);
        while (true)
        {
            var serving = Serving(model, requestOptions.Version);
            var image = new ImageFill(preprocessor, metrics, encodedImage, serving.PreprocessingFor(requestOptions.DecodeMode), model, serving.Descriptor.Version);
            if (serving.TryInfer(image, ImageFill.Fill, deadline, requestOptions.Outputs, cancellationToken, out var pending))
            {
                return pending;
            }

            // That version was swapped out after the lookup (nothing was done): the next lookup finds what serves now.
        }
    }

    public ValueTask<InferenceResult> InferTensorAsync(
        string model, ReadOnlyMemory<float> chw, InferenceRequestOptions requestOptions, CancellationToken cancellationToken) =>
        InferTensorAsync(model, chw.Length, chw, static (tensor, slot) => tensor.Span.CopyTo(slot), requestOptions, cancellationToken);

    public ValueTask<InferenceResult> InferTensorAsync<TState>(
        string model, int length, TState state, SlotFill<TState> fill, InferenceRequestOptions requestOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var deadline = Deadline(requestOptions);
        while (true)
        {
            var serving = Serving(model, requestOptions.Version);
            if (length != serving.InputPerImage)
            {
                var shape = serving.Descriptor.InputShape;
                throw new InferenceException(
                    InferenceErrorCode.InvalidInput,
                    $"Model '{model}' takes {serving.InputPerImage} floats per image ([{shape[1]}, {shape[2]}, {shape[3]}]); got {length}.");
            }

            // A retired version returns false before it calls fill, so a fill that reads a stream runs once.
            if (serving.TryInfer(state, fill, deadline, requestOptions.Outputs, cancellationToken, out var pending))
            {
                return pending;
            }
        }
    }

    public void Admit(string model, InferenceRequestOptions requestOptions) => Serving(model, requestOptions.Version).Admit(Deadline(requestOptions));

    /// <summary>The serving model; a request refused because the service is draining counts as a <c>shutdown</c> rejection.</summary>
    private LoadedModel Serving(string model, string? version)
    {
        try
        {
            return models.GetServing(model, version);
        }
        catch (InferenceException e) when (e.Code == InferenceErrorCode.ShuttingDown)
        {
            metrics.Rejected(model, version ?? models.Find(model)?.Version ?? "", RejectReasons.Shutdown);
            throw;
        }
    }

    private DateTimeOffset Deadline(InferenceRequestOptions requestOptions)
    {
        var timeout = requestOptions.Timeout is { } requested && requested < options.RequestTimeout ? requested : options.RequestTimeout;
        return timeProvider.GetUtcNow() + timeout;
    }

    /// <summary>One image to decode and preprocess straight into its slot, traced and timed.</summary>
    private readonly record struct ImageFill(
        IImagePreprocessor Preprocessor, EngineMetrics Metrics, ReadOnlyMemory<byte> EncodedImage, PreprocessingSpec Spec, string Model, string Version)
    {
        public static void Fill(ImageFill image, Span<float> slot)
        {
            using var activity = EngineTracing.StartPreprocess(image.Model, image.EncodedImage.Length);
            try
            {
                var started = Stopwatch.GetTimestamp();
                var decoded = image.Preprocessor.Preprocess(image.EncodedImage.Span, image.Spec, slot);
                image.Metrics.Preprocessed(image.Model, image.Version, Stopwatch.GetElapsedTime(started));
                EngineTracing.Preprocessed(activity, decoded);
            }
            catch (Exception e)
            {
                EngineTracing.Failed(activity, e);
                throw;
            }
        }
    }
}
