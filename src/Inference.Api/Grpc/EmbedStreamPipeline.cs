using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Inference.Api.DataPlane;
using Inference.Api.Errors;
using Inference.Api.Observability.Metrics;
using Inference.Contracts.Grpc.V1;
using Inference.Engine.Configuration;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Microsoft.Extensions.Options;

namespace Inference.Api.Grpc;

/// <summary>
/// The EmbedStream calls. Two bounds keep a stream from being failed for going fast: a window of permits per call
/// bounds the requests read but not yet answered, and a server-wide permit per model (as many as the model's queue
/// holds, shared by every stream) bounds what all streams have in the engine at once. A stream waiting for either
/// stops reading messages, so HTTP/2 flow control slows its client instead of its items failing with
/// RESOURCE_EXHAUSTED (200 streams x 5 images once failed 911 of 1,000 items). Items run concurrently (so they share
/// batches); one writer loop per call sends the responses as they finish, since gRPC forbids concurrent writes.
/// </summary>
internal sealed class EmbedStreamPipeline(
    InferenceDataPlane plane,
    IModelCatalog catalog,
    IOptions<InferenceGrpcOptions> options,
    IOptions<InferenceOptions> inferenceOptions,
    TimeProvider time,
    ILogger<EmbedStreamPipeline> logger)
    : IDisposable
{
    private const int FallbackWindow = 16;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _modelPermits = new(StringComparer.Ordinal);

    public async Task RunAsync(IAsyncStreamReader<EmbedRequest> requests, IServerStreamWriter<EmbedResponse> responses, ServerCallContext context)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var completed = Channel.CreateUnbounded<EmbedResponse>(new UnboundedChannelOptions { SingleReader = true });
        SemaphoreSlim? window = null;
        Task? writer = null;
        var inFlight = new List<Task>();
        try
        {
            while (true)
            {
                if (window is not null)
                {
                    await window.WaitAsync(stop.Token).ConfigureAwait(false);
                }

                if (!await requests.MoveNext(stop.Token).ConfigureAwait(false))
                {
                    break;
                }

                var request = requests.Current;
                if (window is null)
                {
                    var size = options.Value.EmbedStreamWindow > 0 ? options.Value.EmbedStreamWindow : DefaultWindow(request.Model);
                    window = new SemaphoreSlim(size - 1, size);
                    writer = WriteAllAsync(completed.Reader, responses, window, stop);
                }

                var permit = PermitsOf(request.Model);
                if (permit is not null)
                {
                    await permit.WaitAsync(stop.Token).ConfigureAwait(false);
                }

                inFlight.RemoveAll(static task => task.IsCompleted);
                inFlight.Add(ProcessAsync(request, permit, context, completed.Writer, stop));
            }

            await Task.WhenAll(inFlight).ConfigureAwait(false);
            completed.Writer.TryComplete();
            if (writer is not null)
            {
                await writer.ConfigureAwait(false);
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            completed.Writer.TryComplete();
            await Task.WhenAll(inFlight).ConfigureAwait(false);
            if (writer is not null)
            {
                // The writer's own failure, if any, is the more useful one to report.
                await writer.ConfigureAwait(false);
            }

            throw;
        }
        finally
        {
            window?.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var permits in _modelPermits.Values)
        {
            permits.Dispose();
        }
    }

    private int DefaultWindow(string model)
    {
        var maxBatch = catalog.Find(model)?.MaxBatchSize ?? 0;
        return maxBatch > 0 ? 2 * maxBatch : FallbackWindow;
    }

    /// <summary>The server-wide permits of a served model with a bounded queue; null otherwise (the item fails on its own).</summary>
    private SemaphoreSlim? PermitsOf(string model) =>
        catalog.Find(model) is { QueueCapacity: > 0 } descriptor
            ? _modelPermits.GetOrAdd(descriptor.Name, static (_, capacity) => new SemaphoreSlim(capacity, capacity), descriptor.QueueCapacity)
            : null;

    private async Task ProcessAsync(
        EmbedRequest request, SemaphoreSlim? permit, ServerCallContext context, ChannelWriter<EmbedResponse> completed, CancellationTokenSource stop)
    {
        await Task.Yield();
        EmbedResponse response;
        try
        {
            var model = plane.Resolve(request.Model, request.ModelVersion, InferenceOutputs.Embedding);
            var requestOptions = ImageInferenceCodec.Options(context, time, InferenceOutputs.Embedding, request.DecodeMode, request.ModelVersion);
            // The stream already accepted the item, so a refusal for the queue budget makes it wait (holding its
            // permits: its stream reads nothing meanwhile, and HTTP/2 flow control slows the client), not fail.
            var deadline = time.GetUtcNow() + (requestOptions.Timeout ?? inferenceOptions.Value.RequestTimeout);
            using var batch = await plane.RunAcceptedImageAsync(
                model, InferenceEndpoint.Embed, request.Image.Memory, requestOptions, deadline, stop.Token).ConfigureAwait(false);
            response = ImageInferenceCodec.Embedding(request, batch);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ErrorTable.Find(ex) is { } row)
        {
            var detail = ErrorTable.Detail(ex);
            GrpcLog.StreamItemFailed(logger, ErrorTable.Echo(request.Id), row.Grpc, detail);
            response = new EmbedResponse
            {
                Id = request.Id,
                Model = request.Model,
                Error = new ItemError { Code = (int)row.Grpc, Message = detail },
            };
        }
        catch (Exception ex)
        {
            // A server fault: fail the whole call rather than hide it in an item.
            completed.TryComplete(ex);
            await stop.CancelAsync().ConfigureAwait(false);
            return;
        }
        finally
        {
            permit?.Release();
        }

        completed.TryWrite(response);
    }

    private static async Task WriteAllAsync(
        ChannelReader<EmbedResponse> completed, IServerStreamWriter<EmbedResponse> responses, SemaphoreSlim window, CancellationTokenSource stop)
    {
        try
        {
            while (await completed.WaitToReadAsync(stop.Token).ConfigureAwait(false))
            {
                while (completed.TryRead(out var response))
                {
                    await responses.WriteAsync(response, stop.Token).ConfigureAwait(false);
                    window.Release();
                }
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }
}
