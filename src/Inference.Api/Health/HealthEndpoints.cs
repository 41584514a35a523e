using Inference.Api.Rest;
using Inference.Contracts.Rest;
using Inference.Engine.Models;

namespace Inference.Api.Health;

public static class HealthEndpoints
{
    /// <summary>
    /// <c>/health/live</c>: 200 while the process runs. <c>/health/ready</c>: 200 once loading has finished and the
    /// models serve (every configured model, or with <c>Inference:StopOnModelLoadFailure=false</c> at least one, the
    /// failed ones listed as <c>failed</c> with a client-safe reason); 503 before that and again as soon as shutdown
    /// begins. The body lists each model.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", (IModelCatalog catalog) =>
            TypedResults.Json(new HealthResponse("live", States(catalog)), InferenceJsonContext.Default.HealthResponse));

        app.MapGet("/health/ready", (IModelCatalog catalog) =>
        {
            var ready = catalog.AllReady;
            var models = States(catalog);
            var status = ready ? "ready" : models.Any(m => m.State == "draining") ? "draining" : "not_ready";
            return TypedResults.Json(
                new HealthResponse(status, models),
                InferenceJsonContext.Default.HealthResponse,
                statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }

    private static ModelHealth[] States(IModelCatalog catalog) =>
        catalog.List().Select(m => new ModelHealth(m.Name, m.State.ToString().ToLowerInvariant(), m.Error)).ToArray();
}
