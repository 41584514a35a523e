using Grpc.Core;
using Inference.Api.DataPlane;
using Inference.Api.Observability.Metrics;
using Inference.Contracts.Grpc.V1;
using Inference.Engine.Inference;
using Inference.Engine.Models;

namespace Inference.Api.Grpc;

/// <summary>
/// The <c>imageinference.v1.ImageInference</c> service: each call decodes its message, calls the data plane and
/// encodes the answer; failures reach the exception interceptor. EmbedStream runs in <see cref="EmbedStreamPipeline"/>.
/// </summary>
internal sealed class ImageInferenceService(InferenceDataPlane plane, IModelCatalog catalog, EmbedStreamPipeline streams, TimeProvider time)
    : ImageInference.ImageInferenceBase
{
    public override async Task<ClassifyResponse> Classify(ClassifyRequest request, ServerCallContext context)
    {
        var model = plane.Resolve(request.Model, request.ModelVersion);
        var k = InferenceDataPlane.TopK(request.TopK, model.NumClasses);
        var options = ImageInferenceCodec.Options(context, time, InferenceOutputs.Logits, request.DecodeMode, request.ModelVersion);
        using var batch = await plane.RunImagesAsync(
            model, InferenceEndpoint.Classify, [request.Image.Memory], options, nameParts: false, context.CancellationToken).ConfigureAwait(false);
        return ImageInferenceCodec.Classification(request, batch, k);
    }

    public override async Task<EmbedResponse> Embed(EmbedRequest request, ServerCallContext context)
    {
        var model = plane.Resolve(request.Model, request.ModelVersion, InferenceOutputs.Embedding);
        var options = ImageInferenceCodec.Options(context, time, InferenceOutputs.Embedding, request.DecodeMode, request.ModelVersion);
        using var batch = await plane.RunImagesAsync(
            model, InferenceEndpoint.Embed, [request.Image.Memory], options, nameParts: false, context.CancellationToken).ConfigureAwait(false);
        return ImageInferenceCodec.Embedding(request, batch);
    }

    public override Task EmbedStream(IAsyncStreamReader<EmbedRequest> requestStream, IServerStreamWriter<EmbedResponse> responseStream, ServerCallContext context) =>
        streams.RunAsync(requestStream, responseStream, context);

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse();
        response.Models.AddRange(catalog.List().Select(static model => ImageInferenceCodec.ModelInfo(model, includeLabels: false)));
        return Task.FromResult(response);
    }

    public override Task<ModelInfo> GetModel(GetModelRequest request, ServerCallContext context) =>
        Task.FromResult(ImageInferenceCodec.ModelInfo(plane.Resolve(request.Name), request.IncludeLabels));
}
