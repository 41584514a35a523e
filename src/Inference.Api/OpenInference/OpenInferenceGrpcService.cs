using Grpc.Core;
using Inference.Api.DataPlane;
using Inference.Api.Grpc;
using Inference.Contracts.OpenInference;
using Inference.Engine.Models;

namespace Inference.Api.OpenInference;

/// <summary>The Open Inference Protocol's <c>inference.GRPCInferenceService</c>.</summary>
internal sealed partial class OpenInferenceGrpcService(
    OipInferenceRunner runner, InferenceDataPlane plane, IModelCatalog catalog, OipStatistics statistics, TimeProvider time)
    : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = catalog.AllReady });

    /// <summary>As in Triton, an unknown model is simply not ready.</summary>
    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        var model = string.IsNullOrEmpty(request.Version) ? catalog.Find(request.Name) : catalog.Find(request.Name, request.Version);
        var ready = model is { State: ModelState.Ready };
        return Task.FromResult(new ModelReadyResponse { Ready = ready });
    }

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(OipMetadata.Server());

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(OipMetadata.Model(plane.Resolve(request.Name, request.Version)));

    public override Task<ModelConfigResponse> ModelConfig(ModelConfigRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelConfigResponse { Config = OipMetadata.Config(plane.Resolve(request.Name, request.Version)) });

    public override Task<ModelStatisticsResponse> ModelStatistics(ModelStatisticsRequest request, ServerCallContext context)
    {
        var models = string.IsNullOrEmpty(request.Name) ? OipStatistics.Served(catalog, catalog.List())
            : string.IsNullOrEmpty(request.Version) ? OipStatistics.Served(catalog, [plane.Resolve(request.Name)])
            : [plane.Resolve(request.Name, request.Version)];
        var response = new ModelStatisticsResponse();
        response.ModelStats.AddRange(models.Select(statistics.Snapshot));
        return Task.FromResult(response);
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        using var decoded = OipGrpcCodec.Decode(request);
        var response = await runner.InferAsync(decoded, ImageInferenceCodec.RemainingTime(context, time), context.CancellationToken).ConfigureAwait(false);
        return OipGrpcCodec.Encode(response);
    }
}
