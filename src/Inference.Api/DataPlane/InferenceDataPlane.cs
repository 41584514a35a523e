using System.Runtime.ExceptionServices;
using Inference.Api.Errors;
using Inference.Api.Observability.Metrics;
using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Preprocessing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Inference.Api.DataPlane;

/// <summary>
/// The protocol-neutral data plane (KServe's <c>DataPlane</c>, Triton's server core): every frontend (REST, the
/// ImageInference gRPC service and its EmbedStream, the Open Inference Protocol over REST and gRPC) decodes its
/// request, calls this, and encodes the answer. The rules live here once: model lookup and its one "not found",
/// the "no embedding" check, the top_k rule, the most images a request may carry, fanning N inputs out so that they
/// share batches, and recording each request's outcome into the engine's statistics.
/// </summary>
public sealed class InferenceDataPlane(
    IInferenceEngine engine, IModelCatalog catalog, IEngineStatistics statistics, RequestMetrics metrics, TimeProvider time)
{
    /// <summary>The top_k of a request that asks for none (or for 0).</summary>
    public const int DefaultTopK = 5;

    private static readonly TimeSpan MinimumBackoff = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaximumBackoff = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The model by name (and version, when one is asked for: else the highest ready one) with the outputs the request
    /// will read. To run the version asked for, pass it on in <see cref="InferenceRequestOptions.Version"/>.
    /// </summary>
    /// <exception cref="ApiException">No model name.</exception>
    /// <exception cref="InferenceException">No such model or version (ModelNotFound); no embedding tensor for an embedding request (OutputNotAvailable).</exception>
    public ModelDescriptor Resolve(string name, string? version = null, InferenceOutputs outputs = InferenceOutputs.Logits)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ApiException(ApiErrorCode.InvalidParameter, "The model name is required.");
        }

        var model = catalog.Find(name) ?? throw new InferenceException(
            InferenceErrorCode.ModelNotFound,
            $"Model '{ErrorTable.Echo(name)}' is not served here. Served models: {string.Join(", ", catalog.List().Select(static m => m.Name))}.");
        if (!string.IsNullOrEmpty(version))
        {
            // A version is a positive integer, never a path: "..", "1/..", "-1" or "01" are refused before any lookup; a
            // well-formed number too large for any version folder is simply not there (404, as Triton answers).
            if (version[0] is < '1' or > '9' || !version.All(char.IsAsciiDigit))
            {
                throw new ApiException(ApiErrorCode.InvalidParameter, $"Model version '{ErrorTable.Echo(version)}' is not a positive integer.");
            }

            model = catalog.Find(name, version) ?? throw new InferenceException(
                InferenceErrorCode.ModelNotFound,
                $"Model '{model.Name}' has no version '{ErrorTable.Echo(version)}' ready; ready versions: [{string.Join(", ", catalog.Versions(name).Select(static m => m.Version))}].");
        }

        if (outputs.HasFlag(InferenceOutputs.Embedding) && model is { State: ModelState.Ready, EmbeddingOutputName: null })
        {
            throw new InferenceException(
                InferenceErrorCode.OutputNotAvailable,
                $"Model '{model.Name}' has no embedding tensor: none was found in the graph and its config.json names none ('embeddingTensor').");
        }

        return model;
    }

    /// <summary>
    /// The one top_k rule of every protocol: 0 means the default (<see cref="DefaultTopK"/>), a positive count is
    /// clamped to the model's class count, a negative one is refused naming <paramref name="parameter"/>.
    /// </summary>
    public static int TopK(long requested, int classes, string parameter = "top_k")
    {
        if (requested < 0)
        {
            throw new ApiException(
                ApiErrorCode.InvalidParameter, $"{parameter} must be 0 (the default, {DefaultTopK}) or a positive count; got {requested}.");
        }

        var k = Math.Min(requested == 0 ? DefaultTopK : requested, classes > 0 ? classes : int.MaxValue);
        return (int)Math.Max(1, k);
    }

    /// <summary>The value of the <c>Model-Weights</c> answer header and the <c>weights</c> field: demo weights make meaningless predictions.</summary>
    public static string? DemoNotice(ModelDescriptor model) =>
        model.Weights == WeightsSource.Demo ? "demo; predictions are meaningless" : null;

    public static string WeightsLabel(ModelDescriptor model) => model.Weights == WeightsSource.Demo ? "demo" : "provided";

    /// <summary>
    /// Refuses an overloaded request before its body is read or decoded (429 / RESOURCE_EXHAUSTED with the engine's
    /// Retry-After), so that refusals stay cheap under overload; the request is admitted again image by image.
    /// </summary>
    public void Admit(ModelDescriptor model, InferenceRequestOptions options)
    {
        try
        {
            engine.Admit(model.Name, options);
        }
        catch (InferenceException)
        {
            statistics.RequestCompleted(model.Name, model.Version, succeeded: false, images: 0, TimeSpan.Zero);
            throw;
        }
    }

    /// <summary>
    /// Runs every encoded image at once so that they share batches; one result per image, in order. With
    /// <paramref name="nameParts"/>, an image's failure names its part (1-based).
    /// </summary>
    public Task<InferenceBatch> RunImagesAsync(
        ModelDescriptor model, InferenceEndpoint endpoint, IReadOnlyList<ReadOnlyMemory<byte>> images, InferenceRequestOptions options,
        bool nameParts, CancellationToken cancellationToken) =>
        RunAsync(model, endpoint, images.Count, i => engine.InferImageAsync(model.Name, images[i], options, cancellationToken), nameParts);

    /// <summary>
    /// Runs one image that a stream has already accepted. A refusal for the queue budget (admission by estimated
    /// wait) is not its failure: it waits (10 ms, doubling to 200 ms) and tries again until <paramref name="deadline"/>,
    /// after which the refusal stands. Its outcome is recorded once, however many tries it took.
    /// </summary>
    public Task<InferenceBatch> RunAcceptedImageAsync(
        ModelDescriptor model, InferenceEndpoint endpoint, ReadOnlyMemory<byte> image, InferenceRequestOptions options, DateTimeOffset deadline,
        CancellationToken cancellationToken) =>
        RunAsync(model, endpoint, 1, _ => RetryRefusalsAsync(model, image, options, deadline, cancellationToken), nameParts: false);

    private async ValueTask<InferenceResult> RetryRefusalsAsync(
        ModelDescriptor model, ReadOnlyMemory<byte> image, InferenceRequestOptions options, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var backoff = MinimumBackoff;
        var attempt = options;
        while (true)
        {
            try
            {
                return await engine.InferImageAsync(model.Name, image, attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (InferenceException e) when (e.Code == InferenceErrorCode.QueueFull && time.GetUtcNow() + backoff < deadline)
            {
                await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaximumBackoff.Ticks));
                attempt = options with { Timeout = deadline - time.GetUtcNow() };
            }
        }
    }

    /// <summary>
    /// Runs the preprocessed CHW images of <paramref name="images"/>, each written by the source straight into its
    /// engine slot (in order, on this thread). If image k fails to fill, images 0..k-1 already queued are awaited and
    /// discarded, and the failure is rethrown.
    /// </summary>
    public Task<InferenceBatch> RunTensorsAsync(
        ModelDescriptor model, TensorSource images, InferenceRequestOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        return RunAsync(
            model,
            InferenceEndpoint.Infer,
            images.Count,
            i => engine.InferTensorAsync(model.Name, images.PerImage, (images, i), static (state, slot) => state.images.Fill(state.i, slot), options, cancellationToken),
            nameParts: false);
    }

    private async Task<InferenceBatch> RunAsync(
        ModelDescriptor model, InferenceEndpoint endpoint, int count, Func<int, ValueTask<InferenceResult>> run, bool nameParts)
    {
        var started = time.GetTimestamp();
        try
        {
            CheckCount(model, count);
            var batch = new InferenceBatch(await RunAllAsync(count, run, nameParts).ConfigureAwait(false));
            // Counted for the version that computed the answer (a swap may have moved routing since Resolve).
            statistics.RequestCompleted(model.Name, batch.Model.Version, succeeded: true, count, time.GetElapsedTime(started));
            metrics.ImagesAnswered(model.Name, endpoint, count);
            return batch;
        }
        catch
        {
            statistics.RequestCompleted(model.Name, model.Version, succeeded: false, count, time.GetElapsedTime(started));
            throw;
        }
    }

    /// <summary>
    /// A request larger than the model's queue could never be taken whole however long the client waits: a 400 that
    /// names the limit, not a queue-full refusal that invites retries.
    /// </summary>
    private static void CheckCount(ModelDescriptor model, int count)
    {
        if (count < 1)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, "The request carries no image.");
        }

        if (model.QueueCapacity > 0 && count > model.QueueCapacity)
        {
            throw new InferenceException(
                InferenceErrorCode.InvalidInput,
                $"Model '{model.Name}' takes at most {model.QueueCapacity} images per request (its queueCapacity in config.json); this request has {count}.");
        }
    }

    /// <summary>
    /// Starts every item (preprocessing runs here, synchronously, straight into the model's batch buffer), then
    /// awaits them all. If any fails, the others are still awaited and released, and the first failure is rethrown.
    /// </summary>
    private static async Task<InferenceResult[]> RunAllAsync(int count, Func<int, ValueTask<InferenceResult>> run, bool nameParts)
    {
        var pending = new ValueTask<InferenceResult>[count];
        var started = 0;
        Exception? failure = null;
        for (; started < count; started++)
        {
            try
            {
                pending[started] = run(started);
            }
            catch (Exception e)
            {
                failure = NamePart(e, started, nameParts);
                break;
            }
        }

        var results = new InferenceResult[started];
        for (var i = 0; i < started; i++)
        {
            try
            {
                results[i] = await pending[i].ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure ??= NamePart(e, i, nameParts);
            }
        }

        if (failure is not null)
        {
            foreach (var result in results)
            {
                result?.Dispose();
            }

            ExceptionDispatchInfo.Throw(failure);
        }

        return results;
    }

    private static Exception NamePart(Exception error, int index, bool nameParts) =>
        nameParts && error is ImageProcessingException image
            ? new ImageProcessingException(image.Code, $"Image part {index + 1}: {image.Message}", image)
            : error;
}

public static class DataPlaneServiceCollectionExtensions
{
    /// <summary>
    /// The data plane and the one error table's HTTP handler (problem+json, or Triton's format on the OIP routes),
    /// shared by every frontend (called by AddRestApi and AddInferenceGrpc). Needs AddInferenceEngine().
    /// </summary>
    public static IServiceCollection AddDataPlane(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RequestMetrics>();
        services.TryAddSingleton<InferenceDataPlane>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        return services;
    }
}
