using Grpc.Core;
using Inference.Contracts.Grpc.V1;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Postprocessing;
using Microsoft.Extensions.Options;

namespace Inference.Api.Grpc;

/// <summary>The <c>imageinference.v1.ImageInference</c> service over the shared inference engine.</summary>
internal sealed class ImageInferenceService(
    IInferenceEngine engine,
    IModelCatalog catalog,
    IOptions<InferenceGrpcOptions> options,
    TimeProvider time,
    ILogger<ImageInferenceService> logger) : ImageInference.ImageInferenceBase
{
    private const int DefaultTopK = 5;

    public override async Task<ClassifyResponse> Classify(ClassifyRequest request, ServerCallContext context)
    {
        RequireModel(request.Model);
        if (request.TopK < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"top_k must be 0 (default {DefaultTopK}) or positive, not {request.TopK}."));
        }

        var requestOptions = InferenceCallOptions.For(context, time, InferenceOutputs.Logits, request.DecodeMode);
        using var result = await engine.InferImageAsync(request.Model, request.Image.Memory, requestOptions, context.CancellationToken)
            .ConfigureAwait(false);
        var response = new ClassifyResponse
        {
            Id = request.Id,
            Model = result.Model.Name,
            ModelVersion = result.Model.Version,
            BatchSize = result.BatchSize,
        };
        foreach (var prediction in Classification.TopK(result.Logits, request.TopK == 0 ? DefaultTopK : request.TopK, result.Model))
        {
            response.Predictions.Add(new Contracts.Grpc.V1.Prediction
            {
                Index = prediction.Index,
                Label = prediction.Label,
                Probability = prediction.Probability,
            });
        }

        return response;
    }

    public override Task<EmbedResponse> Embed(EmbedRequest request, ServerCallContext context) =>
        EmbedOneAsync(engine, request, InferenceCallOptions.For(context, time, InferenceOutputs.Embedding, request.DecodeMode), context.CancellationToken);

    public override Task EmbedStream(IAsyncStreamReader<EmbedRequest> requestStream, IServerStreamWriter<EmbedResponse> responseStream, ServerCallContext context)
    {
        var pipeline = new EmbedStreamPipeline(engine, catalog, options.Value.EmbedStreamWindow, time, logger);
        return pipeline.RunAsync(requestStream, responseStream, context);
    }

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse();
        foreach (var model in catalog.List())
        {
            response.Models.Add(ModelInfoMapper.ToProto(model, includeLabels: false));
        }

        return Task.FromResult(response);
    }

    public override Task<ModelInfo> GetModel(GetModelRequest request, ServerCallContext context)
    {
        RequireModel(request.Name);
        var model = catalog.Find(request.Name)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Model '{request.Name}' is not served here."));
        return Task.FromResult(ModelInfoMapper.ToProto(model, request.IncludeLabels));
    }

    /// <summary>One Embed, shared by the unary call and each EmbedStream item.</summary>
    internal static async Task<EmbedResponse> EmbedOneAsync(
        IInferenceEngine engine, EmbedRequest request, InferenceRequestOptions requestOptions, CancellationToken cancellationToken)
    {
        RequireModel(request.Model);
        using var result = await engine.InferImageAsync(request.Model, request.Image.Memory, requestOptions, cancellationToken)
            .ConfigureAwait(false);
        if (result.Embedding.IsEmpty)
        {
            throw new InferenceException(InferenceErrorCode.OutputNotAvailable, $"Model '{result.Model.Name}' exposes no embedding output.");
        }

        var vector = result.Embedding.ToArray();
        if (request.Normalize)
        {
            Classification.L2Normalize(vector);
        }

        var response = new EmbedResponse
        {
            Id = request.Id,
            Model = result.Model.Name,
            ModelVersion = result.Model.Version,
            Dimension = vector.Length,
            Normalized = request.Normalize,
            BatchSize = result.BatchSize,
        };
        response.Embedding.AddRange(vector);
        return response;
    }

    private static void RequireModel(string model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The model name is required."));
        }
    }
}
