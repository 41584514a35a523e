using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Inference.Api.Errors;
using Inference.Api.Observability.Metrics;
using Inference.Contracts.Grpc.V1;
using Inference.Contracts.OpenInference;

namespace Inference.Api.Observability.Requests;

/// <summary>
/// Records <c>inference_request_duration_seconds</c> for the gRPC inference
/// calls: ImageInference Classify/Embed/EmbedStream (protocol <c>grpc</c>) and the Open Inference Protocol's
/// ModelInfer (<c>oip-grpc</c>). Registered outermost, so it sees the status the client gets.
/// </summary>
internal sealed class GrpcRequestMetricsInterceptor(RequestMetrics metrics) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (Classify(request) is not { } call)
        {
            return await continuation(request, context);
        }

        var started = Stopwatch.GetTimestamp();
        var outcome = RequestOutcome.Error;
        try
        {
            var response = await continuation(request, context);
            outcome = RequestOutcomes.FromGrpcStatus((int)context.Status.StatusCode);
            return response;
        }
        catch (Exception e)
        {
            outcome = RequestOutcomes.FromGrpcStatus((int)StatusOf(e));
            throw;
        }
        finally
        {
            metrics.Record(call.Model, call.Endpoint, call.Protocol, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (!context.Method.EndsWith("/EmbedStream", StringComparison.Ordinal))
        {
            await continuation(requestStream, responseStream, context);
            return;
        }

        // One measurement per stream: its duration and the model of its first request.
        var started = Stopwatch.GetTimestamp();
        var reader = new FirstModelReader<TRequest>(requestStream);
        var outcome = RequestOutcome.Error;
        try
        {
            await continuation(reader, responseStream, context);
            outcome = RequestOutcomes.FromGrpcStatus((int)context.Status.StatusCode);
        }
        catch (Exception e)
        {
            outcome = RequestOutcomes.FromGrpcStatus((int)StatusOf(e));
            throw;
        }
        finally
        {
            metrics.Record(reader.Model, InferenceEndpoint.Embed, RequestProtocol.Grpc, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private static (string Model, InferenceEndpoint Endpoint, RequestProtocol Protocol)? Classify(object request) => request switch
    {
        ClassifyRequest r => (r.Model, InferenceEndpoint.Classify, RequestProtocol.Grpc),
        EmbedRequest r => (r.Model, InferenceEndpoint.Embed, RequestProtocol.Grpc),
        ModelInferRequest r => (r.ModelName, InferenceEndpoint.Infer, RequestProtocol.OipGrpc),
        _ => null,
    };

    private static StatusCode StatusOf(Exception error) => error switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException => StatusCode.Cancelled,
        _ => ErrorTable.For(error).Grpc,
    };

    /// <summary>Passes the request stream through, remembering the model named by its first message.</summary>
    private sealed class FirstModelReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public string? Model { get; private set; }

        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var moved = await inner.MoveNext(cancellationToken);
            if (moved && Model is null && inner.Current is EmbedRequest request)
            {
                Model = request.Model;
            }

            return moved;
        }
    }
}
