using Inference.Contracts.Rest;
using Inference.Engine.Configuration;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Postprocessing;
using Microsoft.Extensions.Options;

namespace Inference.Api.Rest;

public static class ClassificationEndpoints
{
    /// <summary><c>POST /v1/models/{model}/classify?top_k=5</c>: softmax top-k for one image or a multipart set.</summary>
    public static IEndpointRouteBuilder MapClassificationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/models/{model}/classify", ClassifyAsync).WithName("Classify");
        return app;
    }

    private static async Task<IResult> ClassifyAsync(
        string model, HttpContext context, IInferenceEngine engine, IModelCatalog catalog, IOptions<InferenceOptions> options)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            var descriptor = RestModels.Require(catalog, model);
            var topK = RequestParameters.TopK(context.Request, descriptor.NumClasses > 0 ? descriptor.NumClasses : int.MaxValue);
            var requestOptions = RequestParameters.Options(context.Request, InferenceOutputs.Logits);
            using var bodies = await ImageBodyReader.ReadAsync(context.Request, options.Value.MaxImageBytes, cancellationToken);
            var results = await ImageInference.RunAllAsync(engine, model, bodies, requestOptions, cancellationToken);
            try
            {
                RestModels.MarkDemo(context, results[0].Model);
                var version = results[0].Model.Version;
                if (!bodies.IsMultipart)
                {
                    return TypedResults.Json(new ClassifyResponse(model, version, Top(results[0], topK)), InferenceJsonContext.Default.ClassifyResponse);
                }

                var perImage = results.Select(r => new ClassifyResult(Top(r, topK))).ToArray();
                return TypedResults.Json(new ClassifyBatchResponse(model, version, perImage), InferenceJsonContext.Default.ClassifyBatchResponse);
            }
            finally
            {
                foreach (var result in results)
                {
                    result.Dispose();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return TypedResults.Empty;
        }
        catch (Exception e) when (Problems.For(e, context) is { } problem)
        {
            return problem;
        }
    }

    private static PredictionDto[] Top(InferenceResult result, int k) =>
        Classification.TopK(result.Logits, k, result.Model)
            .Select(p => new PredictionDto(p.Index, p.Label, p.Probability))
            .ToArray();
}
