using Inference.Engine.Inference;
using Inference.Engine.Models;

namespace Inference.Api.Rest;

/// <summary>Model lookups shared by the REST endpoints.</summary>
internal static class RestModels
{
    public const string WeightsHeader = "Model-Weights";

    public static ModelDescriptor Require(IModelCatalog catalog, string model) =>
        catalog.Find(model) ?? throw new InferenceException(
            InferenceErrorCode.ModelNotFound,
            $"Model '{model}' is not served here. Served models: {string.Join(", ", catalog.List().Select(m => m.Name))}.");

    /// <summary>Tells the client, on every answer, when the predictions come from meaningless demo weights.</summary>
    public static void MarkDemo(HttpContext context, ModelDescriptor model)
    {
        if (model.Weights == WeightsSource.Demo)
        {
            context.Response.Headers[WeightsHeader] = "demo; predictions are meaningless";
        }
    }
}
