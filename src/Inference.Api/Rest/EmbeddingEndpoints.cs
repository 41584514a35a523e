using Inference.Engine.Inference;
using Inference.Engine.Models;

namespace Inference.Api.Rest;

public static class EmbeddingEndpoints
{
    /// <summary>
    /// <c>POST /v1/models/{model}/embed[?normalize=true]</c>: the pooled feature vector, as JSON or, with
    /// <c>Accept: application/octet-stream</c>, raw little-endian float32.
    /// </summary>
    public static IEndpointRouteBuilder MapEmbeddingApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/models/{model}/embed", EmbedAsync).WithName("Embed");
        return app;
    }

    private static Task<IResult> EmbedAsync(string model, HttpContext context, ImageRequestPipeline pipeline)
    {
        var normalize = false;
        return pipeline.HandleAsync(
            context,
            model,
            descriptor =>
            {
                if (descriptor is { State: ModelState.Ready, EmbeddingOutputName: null })
                {
                    throw new InferenceException(
                        InferenceErrorCode.OutputNotAvailable,
                        $"Model '{model}' has no embedding tensor: none was found in the graph and its config.json names none ('embeddingTensor').");
                }

                normalize = RequestParameters.Normalize(context.Request);
                return RequestParameters.Options(context.Request, InferenceOutputs.Embedding);
            },
            async (results, multipart) =>
            {
                if (WantsBinary(context.Request))
                {
                    await EmbeddingWriter.WriteBinaryAsync(context.Response, results, normalize);
                }
                else
                {
                    await EmbeddingWriter.WriteJsonAsync(context.Response, model, results, multipart, normalize);
                }

                return TypedResults.Empty;
            });
    }

    private static bool WantsBinary(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase));
}
