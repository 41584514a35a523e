using System.Threading.Channels;
using Grpc.Core;
using Inference.Contracts.Grpc.V1;
using Inference.Engine.Inference;
using Inference.Engine.Models;

namespace Inference.Api.Grpc;

/// <summary>
/// One EmbedStream call. A window of permits bounds the requests read but not yet answered: when it is full
/// the reader stops pulling messages, so HTTP/2 flow control pushes back on a fast client instead of the
/// server buffering its images. Items run concurrently (so they share batches); a single writer loop sends
/// the responses as they finish, since gRPC forbids concurrent writes.
/// </summary>
internal sealed class EmbedStreamPipeline(
    IInferenceEngine engine, IModelCatalog catalog, int configuredWindow, TimeProvider time, ILogger logger)
{
    private const int FallbackWindow = 16;

    /// <summary>The window this call used (0 until the first request arrived).</summary>
    public int Window { get; private set; }

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
                    Window = configuredWindow > 0 ? configuredWindow : DefaultWindow(request.Model);
                    window = new SemaphoreSlim(Window - 1, Window);
                    writer = WriteAllAsync(completed.Reader, responses, window, stop);
                }

                inFlight.RemoveAll(static task => task.IsCompleted);
                inFlight.Add(ProcessAsync(request, context, completed.Writer, stop));
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

    private int DefaultWindow(string model)
    {
        var maxBatch = catalog.Find(model)?.MaxBatchSize ?? 0;
        return maxBatch > 0 ? 2 * maxBatch : FallbackWindow;
    }

    private async Task ProcessAsync(EmbedRequest request, ServerCallContext context, ChannelWriter<EmbedResponse> completed, CancellationTokenSource stop)
    {
        await Task.Yield();
        EmbedResponse response;
        try
        {
            var requestOptions = InferenceCallOptions.For(context, time, InferenceOutputs.Embedding, request.DecodeMode);
            response = await ImageInferenceService.EmbedOneAsync(engine, request, requestOptions, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (GrpcErrorMapping.TryMap(ex) is { } status)
        {
            GrpcLog.StreamItemFailed(logger, request.Id, status.StatusCode, status.Detail);
            response = new EmbedResponse
            {
                Id = request.Id,
                Model = request.Model,
                Error = new ItemError { Code = (int)status.StatusCode, Message = status.Detail },
            };
        }
        catch (Exception ex)
        {
            // A server fault: fail the whole call rather than hide it in an item.
            completed.TryComplete(ex);
            await stop.CancelAsync().ConfigureAwait(false);
            return;
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
