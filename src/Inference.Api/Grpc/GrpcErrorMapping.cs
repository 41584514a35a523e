using Grpc.Core;
using Inference.Engine.Inference;
using Inference.Preprocessing;

namespace Inference.Api.Grpc;

/// <summary>Maps engine and image failures to gRPC status codes.</summary>
public static class GrpcErrorMapping
{
    public static StatusCode ToStatusCode(InferenceErrorCode code) => code switch
    {
        InferenceErrorCode.ModelNotFound => StatusCode.NotFound,
        InferenceErrorCode.ModelNotReady => StatusCode.Unavailable,
        InferenceErrorCode.ShuttingDown => StatusCode.Unavailable,
        InferenceErrorCode.QueueFull => StatusCode.ResourceExhausted,
        InferenceErrorCode.DeadlineExceeded => StatusCode.DeadlineExceeded,
        InferenceErrorCode.InvalidInput => StatusCode.InvalidArgument,
        InferenceErrorCode.OutputNotAvailable => StatusCode.InvalidArgument,
        _ => StatusCode.Internal,
    };

    /// <summary>An image over the byte limit is RESOURCE_EXHAUSTED (like an oversized message); any other bad image is INVALID_ARGUMENT.</summary>
    public static StatusCode ToStatusCode(ImageErrorCode code) =>
        code == ImageErrorCode.TooManyBytes ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument;

    /// <summary>The status for a failure, or null if it is not one of the typed failures.</summary>
    public static Status? TryMap(Exception exception) => exception switch
    {
        RpcException rpc => rpc.Status,
        InferenceException inference => new Status(ToStatusCode(inference.Code), inference.Message),
        ImageProcessingException image => new Status(ToStatusCode(image.Code), image.Message),
        _ => null,
    };

    /// <summary>
    /// The status for a cancellation: CANCELLED when the client went away, DEADLINE_EXCEEDED when the call's
    /// deadline (which also cancels the call's token) passed.
    /// </summary>
    public static Status ForCancellation(ServerCallContext context, TimeProvider time)
    {
        var clientGone = context.GetHttpContext()?.RequestAborted.IsCancellationRequested ?? false;
        var deadlinePassed = context.Deadline != DateTime.MaxValue &&
            (!clientGone || time.GetUtcNow().UtcDateTime >= context.Deadline);
        return deadlinePassed
            ? new Status(StatusCode.DeadlineExceeded, "The call's deadline passed before it was answered.")
            : new Status(StatusCode.Cancelled, "The call was cancelled by the client.");
    }
}
