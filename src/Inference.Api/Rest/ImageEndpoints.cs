using Inference.Api.DataPlane;
using Inference.Api.Observability.Metrics;
using Inference.Contracts.Rest;
using Inference.Engine.Configuration;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Microsoft.Extensions.Options;

namespace Inference.Api.Rest;

/// <summary>
/// <c>POST /v1/models/{model}/classify?top_k=5</c> (softmax top-k) and <c>POST /v1/models/{model}/embed[?normalize=true]</c>
/// (the pooled feature vector, as JSON or, with <c>Accept: application/octet-stream</c>, raw little-endian float32),
/// for one image body or a multipart set. Each decodes the request, calls the data plane, and encodes the answer;
/// failures reach the exception handler.
/// </summary>
public static class ImageEndpoints
{
    public const string WeightsHeader = "Model-Weights";

    public static IEndpointRouteBuilder MapClassificationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/models/{model}/classify", ClassifyAsync).WithName("Classify");
        app.MapPost("/v1/models/{model}/versions/{version}/classify", ClassifyAsync).WithName("ClassifyVersion");
        return app;
    }

    public static IEndpointRouteBuilder MapEmbeddingApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/models/{model}/embed", EmbedAsync).WithName("Embed");
        app.MapPost("/v1/models/{model}/versions/{version}/embed", EmbedAsync).WithName("EmbedVersion");
        return app;
    }

    private static async Task<IResult> ClassifyAsync(
        string model, string? version, HttpContext context, InferenceDataPlane plane, IOptions<InferenceOptions> options)
    {
        var descriptor = plane.Resolve(model, version);
        var requested = RequestParameters.TopK(context.Request);
        var requestOptions = RequestParameters.Options(context.Request, InferenceOutputs.Logits) with { Version = version };
        plane.Admit(descriptor, requestOptions);
        using var bodies = await ImageBodyReader.ReadAsync(context.Request, options.Value.MaxImageBytes, context.RequestAborted);
        using var batch = await plane.RunImagesAsync(
            descriptor, InferenceEndpoint.Classify, bodies, requestOptions, bodies.IsMultipart, context.RequestAborted);
        var k = InferenceDataPlane.TopK(requested, batch.Model.NumClasses);
        MarkDemo(context, batch.Model);
        return bodies.IsMultipart
            ? TypedResults.Json(
                new ClassifyBatchResponse(model, batch.Model.Version, [.. Enumerable.Range(0, batch.Count).Select(i => new ClassifyResult(Top(batch, i, k)))]),
                InferenceJsonContext.Default.ClassifyBatchResponse)
            : TypedResults.Json(new ClassifyResponse(model, batch.Model.Version, Top(batch, 0, k)), InferenceJsonContext.Default.ClassifyResponse);
    }

    private static async Task EmbedAsync(
        string model, string? version, HttpContext context, InferenceDataPlane plane, IOptions<InferenceOptions> options)
    {
        var descriptor = plane.Resolve(model, version, InferenceOutputs.Embedding);
        var normalize = RequestParameters.Normalize(context.Request);
        var requestOptions = RequestParameters.Options(context.Request, InferenceOutputs.Embedding) with { Version = version };
        plane.Admit(descriptor, requestOptions);
        using var bodies = await ImageBodyReader.ReadAsync(context.Request, options.Value.MaxImageBytes, context.RequestAborted);
        using var batch = await plane.RunImagesAsync(
            descriptor, InferenceEndpoint.Embed, bodies, requestOptions, bodies.IsMultipart, context.RequestAborted);
        MarkDemo(context, batch.Model);
        if (WantsBinary(context.Request))
        {
            await EmbeddingWriter.WriteBinaryAsync(context.Response, batch, normalize);
        }
        else
        {
            await EmbeddingWriter.WriteJsonAsync(context.Response, model, batch, bodies.IsMultipart, normalize);
        }
    }

    private static PredictionDto[] Top(InferenceBatch batch, int index, int k) =>
        [.. batch.Top(index, k).Select(static p => new PredictionDto(p.Index, p.Label, p.Probability))];

    /// <summary>Tells the client, on every answer, when the predictions come from meaningless demo weights.</summary>
    private static void MarkDemo(HttpContext context, ModelDescriptor model)
    {
        if (InferenceDataPlane.DemoNotice(model) is { } notice)
        {
            context.Response.Headers[WeightsHeader] = notice;
        }
    }

    private static bool WantsBinary(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase));
}
