using Inference.Contracts.Grpc.V1;
using Inference.Engine.Models;
using EngineModelState = Inference.Engine.Models.ModelState;
using ProtoModelState = Inference.Contracts.Grpc.V1.ModelState;

namespace Inference.Api.Grpc;

internal static class ModelInfoMapper
{
    public static ModelInfo ToProto(ModelDescriptor model, bool includeLabels)
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
            Weights = model.Weights == WeightsSource.Demo ? "demo" : "provided",
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
