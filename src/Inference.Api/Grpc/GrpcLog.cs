using Grpc.Core;

namespace Inference.Api.Grpc;

internal static partial class GrpcLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "gRPC call {Method} ended early: {StatusCode}")]
    public static partial void CallCancelled(ILogger logger, string method, StatusCode statusCode);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "gRPC call {Method} refused with {StatusCode}: {Detail}")]
    public static partial void CallRefused(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "gRPC call {Method} failed")]
    public static partial void CallFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "EmbedStream item {Id} failed with {StatusCode}: {Detail}")]
    public static partial void StreamItemFailed(ILogger logger, string id, StatusCode statusCode, string detail);
}
