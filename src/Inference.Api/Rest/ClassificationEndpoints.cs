using Inference.Contracts.Rest;
using Inference.Engine.Inference;
using Inference.Engine.Postprocessing;

namespace Inference.Api.Rest;

public static class ClassificationEndpoints
{
    /// <summary><c>POST /v1/models/{model}/classify?top_k=5</c>: softmax top-k for one image or a multipart set.</summary>
    public static IEndpointRouteBuilder MapClassificationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/models/{model}/classify", ClassifyAsync).WithName("Classify");
        return app;
    }

    private static Task<IResult> ClassifyAsync(string model, HttpContext context, ImageRequestPipeline pipeline)
    {
        var topK = 0;
        return pipeline.HandleAsync(
            context,
            model,
            descriptor =>
            {
                topK = RequestParameters.TopK(context.Request, descriptor.NumClasses > 0 ? descriptor.NumClasses : int.MaxValue);
                return RequestParameters.Options(context.Request, InferenceOutputs.Logits);
            },
            (results, multipart) =>
            {
                var version = results[0].Model.Version;
                IResult answer = multipart
                    ? TypedResults.Json(
                        new ClassifyBatchResponse(model, version, results.Select(r => new ClassifyResult(Top(r, topK))).ToArray()),
                        InferenceJsonContext.Default.ClassifyBatchResponse)
                    : TypedResults.Json(new ClassifyResponse(model, version, Top(results[0], topK)), InferenceJsonContext.Default.ClassifyResponse);
                return Task.FromResult(answer);
            });
    }

    private static PredictionDto[] Top(InferenceResult result, int k) =>
        Classification.TopK(result.Logits, k, result.Model)
            .Select(p => new PredictionDto(p.Index, p.Label, p.Probability))
            .ToArray();
}
