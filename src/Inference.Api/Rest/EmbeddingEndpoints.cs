using Inference.Engine.Configuration;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

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

    private static async Task<IResult> EmbedAsync(
        string model, HttpContext context, IInferenceEngine engine, IModelCatalog catalog, IOptions<InferenceOptions> options)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            var descriptor = RestModels.Require(catalog, model);
            if (descriptor is { State: ModelState.Ready, EmbeddingOutputName: null })
            {
                throw new InferenceException(
                    InferenceErrorCode.OutputNotAvailable,
                    $"Model '{model}' has no embedding tensor: none was found in the graph and its config.json names none ('embeddingTensor').");
            }

            var normalize = RequestParameters.Normalize(context.Request);
            var binary = WantsBinary(context.Request);
            var requestOptions = RequestParameters.Options(context.Request, InferenceOutputs.Embedding);
            using var bodies = await ImageBodyReader.ReadAsync(context.Request, options.Value.MaxImageBytes, cancellationToken);
            var results = await ImageInference.RunAllAsync(engine, model, bodies, requestOptions, cancellationToken);
            try
            {
                RestModels.MarkDemo(context, results[0].Model);
                if (binary)
                {
                    await EmbeddingWriter.WriteBinaryAsync(context.Response, results, normalize);
                }
                else
                {
                    await EmbeddingWriter.WriteJsonAsync(context.Response, model, results, bodies.IsMultipart, normalize);
                }

                return TypedResults.Empty;
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

    private static bool WantsBinary(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase));
}
