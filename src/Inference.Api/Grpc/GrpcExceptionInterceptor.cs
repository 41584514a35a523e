using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Inference.Api.Grpc;

/// <summary>
/// Turns typed engine and image failures into statuses with their messages. Cancelled calls are logged at
/// debug level, client errors at information level; only server faults are logged as errors.
/// </summary>
internal sealed class GrpcExceptionInterceptor(ILogger<GrpcExceptionInterceptor> logger, TimeProvider time) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, context) is { } translated)
        {
            throw translated;
        }
    }

    private RpcException? Translate(Exception exception, ServerCallContext context)
    {
        if (exception is OperationCanceledException || (exception is IOException && context.CancellationToken.IsCancellationRequested))
        {
            var status = GrpcErrorMapping.ForCancellation(context, time);
            GrpcLog.CallCancelled(logger, context.Method, status.StatusCode);
            return new RpcException(status);
        }

        if (GrpcErrorMapping.TryMap(exception) is not { } mapped)
        {
            GrpcLog.CallFailed(logger, context.Method, exception);
            return null;
        }

        if (mapped.StatusCode is StatusCode.Internal or StatusCode.Unknown)
        {
            GrpcLog.CallFailed(logger, context.Method, exception);
        }
        else
        {
            GrpcLog.CallRefused(logger, context.Method, mapped.StatusCode, mapped.Detail);
        }

        return exception as RpcException ?? new RpcException(mapped);
    }
}
