using Inference.Engine.Configuration;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Microsoft.Extensions.Options;

namespace Inference.Api.Rest;

/// <summary>
/// The shared path of the image endpoints: check the model, read the bodies into pooled buffers, run every
/// image through the engine together, answer, and release everything; failures become problem+json.
/// </summary>
internal sealed class ImageRequestPipeline(IInferenceEngine engine, IModelCatalog catalog, IOptions<InferenceOptions> options)
{
    public delegate Task<IResult> Respond(InferenceResult[] results, bool multipart);

    /// <param name="validate">Checks the model and the query before the body is read; returns the request options.</param>
    public async Task<IResult> HandleAsync(
        HttpContext context, string model, Func<ModelDescriptor, InferenceRequestOptions> validate, Respond respond)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            var requestOptions = validate(RestModels.Require(catalog, model));
            using var bodies = await ImageBodyReader.ReadAsync(context.Request, options.Value.MaxImageBytes, cancellationToken);
            var results = await ImageInference.RunAllAsync(engine, model, bodies, requestOptions, cancellationToken);
            try
            {
                RestModels.MarkDemo(context, results[0].Model);
                return await respond(results, bodies.IsMultipart);
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
}
