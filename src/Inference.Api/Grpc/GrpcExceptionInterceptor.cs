using Grpc.Core;
using Grpc.Core.Interceptors;
using Inference.Api.Errors;

namespace Inference.Api.Grpc;

/// <summary>
/// The one place a gRPC call's failure becomes a status, from the <see cref="ErrorTable"/> (messages cut so that
/// echoed client input cannot overflow <c>grpc-message</c>). Cancelled calls and client errors are logged at debug
/// level; only server faults are logged as errors, and answered INTERNAL without their internals.
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
            var status = ForCancellation(context, time);
            GrpcLog.CallCancelled(logger, context.Method, status.StatusCode);
            return new RpcException(status);
        }

        if (exception is RpcException rpc)
        {
            GrpcLog.CallRefused(logger, context.Method, rpc.StatusCode, rpc.Status.Detail);
            return rpc.Status.Detail.Length <= ErrorTable.MaxDetail
                ? null
                : new RpcException(new Status(rpc.StatusCode, rpc.Status.Detail[..ErrorTable.MaxDetail]));
        }

        var row = ErrorTable.For(exception);
        var detail = ErrorTable.Detail(exception);
        if (row.IsServerFault)
        {
            GrpcLog.CallFailed(logger, context.Method, exception);
        }
        else
        {
            GrpcLog.CallRefused(logger, context.Method, row.Grpc, detail);
        }

        return new RpcException(new Status(row.Grpc, detail));
    }

    /// <summary>
    /// The status for a cancellation: CANCELLED when the client went away, DEADLINE_EXCEEDED when the call's
    /// deadline (which also cancels the call's token) passed.
    /// </summary>
    private static Status ForCancellation(ServerCallContext context, TimeProvider time)
    {
        var clientGone = context.GetHttpContext()?.RequestAborted.IsCancellationRequested ?? false;
        var deadlinePassed = context.Deadline != DateTime.MaxValue &&
            (!clientGone || time.GetUtcNow().UtcDateTime >= context.Deadline);
        return deadlinePassed
            ? new Status(StatusCode.DeadlineExceeded, "The call's deadline passed before it was answered.")
            : new Status(StatusCode.Cancelled, "The call was cancelled by the client.");
    }
}

internal static partial class GrpcLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "gRPC call {Method} ended early: {StatusCode}")]
    public static partial void CallCancelled(ILogger logger, string method, StatusCode statusCode);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "gRPC call {Method} refused with {StatusCode}: {Detail}")]
    public static partial void CallRefused(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "gRPC call {Method} failed")]
    public static partial void CallFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "EmbedStream item {Id} failed with {StatusCode}: {Detail}")]
    public static partial void StreamItemFailed(ILogger logger, string id, StatusCode statusCode, string detail);
}
