using Grpc.Core;
using Inference.Engine.Inference;
using Inference.Preprocessing;
using ProtoDecodeMode = Inference.Contracts.Grpc.V1.DecodeMode;

namespace Inference.Api.Grpc;

/// <summary>Builds the engine's per-request options from a gRPC call: its remaining deadline and decode mode.</summary>
internal static class InferenceCallOptions
{
    /// <summary>
    /// The time left until the call's deadline (null without one), so that a request still queued when it
    /// passes is dropped by the batcher instead of run. Never below one millisecond.
    /// </summary>
    public static TimeSpan? RemainingTime(ServerCallContext context, TimeProvider time)
    {
        if (context.Deadline == DateTime.MaxValue)
        {
            return null;
        }

        var remaining = context.Deadline - time.GetUtcNow().UtcDateTime;
        return remaining > TimeSpan.FromMilliseconds(1) ? remaining : TimeSpan.FromMilliseconds(1);
    }

    public static InferenceRequestOptions For(ServerCallContext context, TimeProvider time, InferenceOutputs outputs, ProtoDecodeMode decodeMode) =>
        new()
        {
            Timeout = RemainingTime(context, time),
            Outputs = outputs,
            DecodeMode = decodeMode switch
            {
                ProtoDecodeMode.Exact => DecodeMode.Exact,
                ProtoDecodeMode.Fast => DecodeMode.Fast,
                ProtoDecodeMode.Unspecified => null,
                _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"Unknown decode_mode {(int)decodeMode}.")),
            },
        };
}
