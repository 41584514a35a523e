using Inference.Api.DataPlane;
using Inference.Contracts.Rest;
using Inference.Engine.Models;

namespace Inference.Api.Rest;

public static class ModelEndpoints
{
    /// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{model}</c>.</summary>
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", (IModelCatalog catalog) =>
            TypedResults.Json(new ModelListResponse(catalog.List().Select(ToInfo).ToArray()), InferenceJsonContext.Default.ModelListResponse));

        app.MapGet("/v1/models/{model}", (string model, InferenceDataPlane plane) =>
            TypedResults.Json(ToInfo(plane.Resolve(model)), InferenceJsonContext.Default.ModelInfo));
        return app;
    }

    public static ModelInfo ToInfo(ModelDescriptor model) => new()
    {
        Name = model.Name,
        Version = model.Version,
        State = model.State.ToString().ToLowerInvariant(),
        Error = model.Error,
        InputName = model.InputName,
        InputShape = model.InputShape,
        NumClasses = model.NumClasses,
        Labels = model.Labels.Count,
        EmbeddingDimension = model.EmbeddingDimension,
        EmbeddingTensor = model.EmbeddingOutputName,
        Tasks = model.Tasks,
        EmbeddingUnavailable = model.EmbeddingUnavailableReason,
        MaxBatchSize = model.MaxBatchSize,
        ExecutionProvider = model.ExecutionProvider,
        Weights = InferenceDataPlane.WeightsLabel(model),
        Precision = model.Precision,
        Warning = model.Weights == WeightsSource.Demo
            ? "Demo weights: seeded, untrained; predictions are meaningless. Put a real export at models/<name>/model.onnx."
            : null,
        ReadySince = model.ReadySince,
    };
}
