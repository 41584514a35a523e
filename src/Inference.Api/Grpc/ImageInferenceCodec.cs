using Grpc.Core;
using Inference.Api.DataPlane;
using Inference.Api.Errors;
using Inference.Contracts.Grpc.V1;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using EngineModelState = Inference.Engine.Models.ModelState;
using ProtoDecodeMode = Inference.Contracts.Grpc.V1.DecodeMode;
using ProtoModelState = Inference.Contracts.Grpc.V1.ModelState;

namespace Inference.Api.Grpc;

/// <summary>
/// Decoding and encoding of the <c>imageinference.v1</c> messages, shared by the unary calls and EmbedStream:
/// a call's options (its remaining deadline, decode mode), the Embed and Classify answers, and ModelInfo.
/// </summary>
internal static class ImageInferenceCodec
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

    public static InferenceRequestOptions Options(
        ServerCallContext context, TimeProvider time, InferenceOutputs outputs, ProtoDecodeMode decodeMode, string modelVersion) =>
        new()
        {
            Version = string.IsNullOrEmpty(modelVersion) ? null : modelVersion,
            Timeout = RemainingTime(context, time),
            Outputs = outputs,
            DecodeMode = decodeMode switch
            {
                ProtoDecodeMode.Exact => Inference.Preprocessing.DecodeMode.Exact,
                ProtoDecodeMode.Fast => Inference.Preprocessing.DecodeMode.Fast,
                ProtoDecodeMode.Unspecified => null,
                _ => throw new ApiException(ApiErrorCode.InvalidParameter, $"Unknown decode_mode {(int)decodeMode}."),
            },
        };

    public static ClassifyResponse Classification(ClassifyRequest request, InferenceBatch batch, int k)
    {
        var response = new ClassifyResponse
        {
            Id = request.Id,
            Model = batch.Model.Name,
            ModelVersion = batch.Model.Version,
            BatchSize = batch[0].BatchSize,
        };
        foreach (var prediction in batch.Top(0, k))
        {
            response.Predictions.Add(new Prediction { Index = prediction.Index, Label = prediction.Label, Probability = prediction.Probability });
        }

        return response;
    }

    public static EmbedResponse Embedding(EmbedRequest request, InferenceBatch batch)
    {
        var vector = new float[batch.EmbeddingDimension];
        batch.CopyEmbedding(0, request.Normalize, vector);
        var response = new EmbedResponse
        {
            Id = request.Id,
            Model = batch.Model.Name,
            ModelVersion = batch.Model.Version,
            Dimension = vector.Length,
            Normalized = request.Normalize,
            BatchSize = batch[0].BatchSize,
        };
        response.Embedding.AddRange(vector);
        return response;
    }

    public static ModelInfo ModelInfo(ModelDescriptor model, bool includeLabels)
    {
        var info = new ModelInfo
        {
            Name = model.Name,
            Version = model.Version,
            State = model.State switch
            {
                EngineModelState.Loading => ProtoModelState.Loading,
                EngineModelState.Ready => ProtoModelState.Ready,
                EngineModelState.Failed => ProtoModelState.Failed,
                EngineModelState.Draining => ProtoModelState.Draining,
                _ => ProtoModelState.Unspecified,
            },
            Error = model.Error ?? string.Empty,
            InputName = model.InputName,
            LogitsOutputName = model.LogitsOutputName ?? string.Empty,
            NumClasses = model.NumClasses,
            EmbeddingDimension = model.EmbeddingDimension ?? 0,
            MaxBatchSize = model.MaxBatchSize,
            ExecutionProvider = model.ExecutionProvider,
            Weights = InferenceDataPlane.WeightsLabel(model),
        };
        info.InputShape.AddRange(model.InputShape);
        info.Tasks.AddRange(model.Tasks);
        if (includeLabels)
        {
            info.Labels.AddRange(model.Labels);
        }

        return info;
    }
}
