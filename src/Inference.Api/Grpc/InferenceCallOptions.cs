using Grpc.Core;
using Inference.Engine.Inference;
using Inference.Preprocessing;
using ProtoDecodeMode = Inference.Contracts.Grpc.V1.DecodeMode;

namespace Inference.Api.Grpc;

/// <summary>Builds the engine's per-request options from a gRPC call: its remaining deadline and decode mode.</summary>
internal static class InferenceCallOptions
{
    /// <summary>Headroom kept before the deadline so that the server's DEADLINE_EXCEEDED reaches the client before it gives up itself.</summary>
    private static readonly TimeSpan MaxHeadroom = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The time left until the call's deadline, less a little headroom (a tenth, at most 50 ms), or null without
    /// a deadline: a request still queued when it runs out is dropped by the batcher instead of run, and the call
    /// is answered DEADLINE_EXCEEDED. Never below one millisecond.
    /// </summary>
    public static TimeSpan? RemainingTime(ServerCallContext context, TimeProvider time)
    {
        if (context.Deadline == DateTime.MaxValue)
        {
            return null;
        }

        var remaining = context.Deadline - time.GetUtcNow().UtcDateTime;
        remaining -= TimeSpan.FromTicks(Math.Min(MaxHeadroom.Ticks, Math.Max(0, remaining.Ticks / 10)));
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
