using System.Globalization;
using Google.Protobuf;
using Inference.Api.DataPlane;
using Inference.Api.Errors;
using Inference.Api.Observability.Metrics;
using Inference.Api.Observability.Requests;
using Inference.Engine.Inference;
using Inference.Engine.Models;

namespace Inference.Api.OpenInference;

/// <summary>The Open Inference Protocol's REST binding under <c>/v2</c>, with Triton's binary tensor and classification extensions.</summary>
public static class OpenInferenceRestEndpoints
{
    private static readonly JsonFormatter ConfigFormatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    /// <summary>
    /// Maps <c>GET /v2</c>, <c>/v2/health/live</c>, <c>/v2/health/ready</c>, <c>/v2/models/{model}[/versions/{version}]</c>
    /// with <c>/ready</c>, <c>/config</c>, <c>/stats</c>, <c>GET /v2/models/stats</c>, and <c>POST .../infer</c>.
    /// Needs the services of AddInferenceGrpc (or AddOpenInference).
    /// </summary>
    public static IEndpointRouteBuilder MapOpenInferenceRest(this IEndpointRouteBuilder endpoints)
    {
        var v2 = endpoints.MapGroup("/v2").WithTags("Open Inference Protocol").WithMetadata(TritonErrorFormat.Instance);
        v2.MapGet("/", () => Results.Json(
            new ServerMetadataBody(OipNames.ServerName, OipMetadata.ServerVersion, OipNames.Extensions), OipRestJsonContext.Default.ServerMetadataBody));
        v2.MapGet("/health/live", () => Results.Ok());
        v2.MapGet("/health/ready", (IModelCatalog catalog) => catalog.AllReady ? Results.Ok() : Results.BadRequest());
        v2.MapGet("/models/stats", (IModelCatalog catalog, OipStatistics statistics) =>
            Results.Bytes(OipRestResponseWriter.WriteStatistics(OipStatistics.Served(catalog, catalog.List()).Select(statistics.Snapshot)), "application/json"));

        foreach (var prefix in new[] { "/models/{model}", "/models/{model}/versions/{version}" })
        {
            var model = v2.MapGroup(prefix);
            model.MapGet("/", (string model, string? version, InferenceDataPlane plane) =>
            {
                var resolved = plane.Resolve(model, version);
                return Results.Json(ModelMetadataBody.From(OipMetadata.Model(resolved), resolved.Precision), OipRestJsonContext.Default.ModelMetadataBody);
            });
            model.MapGet("/ready", (string model, string? version, IModelCatalog catalog) =>
                (version is null ? catalog.Find(model) : catalog.Find(model, version)) is { State: ModelState.Ready } ? Results.Ok() : Results.BadRequest());
            model.MapGet("/config", (string model, string? version, InferenceDataPlane plane) =>
                Results.Text(ConfigFormatter.Format(OipMetadata.Config(plane.Resolve(model, version))), "application/json"));
            model.MapGet("/stats", (string model, string? version, InferenceDataPlane plane, IModelCatalog catalog, OipStatistics statistics) =>
                Results.Bytes(OipRestResponseWriter.WriteStatistics(
                    version is null ? OipStatistics.Served(catalog, [plane.Resolve(model)]).Select(statistics.Snapshot) : [statistics.Snapshot(plane.Resolve(model, version))]),
                    "application/json"));
            model.MapPost("/infer", InferAsync).WithInferenceMetrics(InferenceEndpoint.Infer, RequestProtocol.OipRest);
        }

        return endpoints;
    }

    private static async Task<IResult> InferAsync(string model, string? version, OipInferenceRunner runner, InferenceDataPlane plane, HttpContext context)
    {
        // Refused before the body is read, as REST classify/embed are: under overload a refusal must stay cheap.
        plane.Admit(plane.Resolve(model, version), new InferenceRequestOptions { Version = version });
        var headerLength = context.Request.Headers.TryGetValue(OipNames.HeaderContentLength, out var header)
            ? (int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                ? length
                : throw OipTensorCodec.Invalid($"{OipNames.HeaderContentLength} '{ErrorTable.Echo(header)}' is not a byte count."))
            : (int?)null;
        using var request = await OipRestRequestReader.ReadAsync(
            model, version, context.Request.Body, context.Request.ContentLength, headerLength, context.RequestAborted).ConfigureAwait(false);
        var response = await runner.InferAsync(request, timeout: null, context.RequestAborted).ConfigureAwait(false);
        var (json, binary) = OipRestResponseWriter.WriteInfer(response);
        if (binary.Count == 0)
        {
            return Results.Bytes(json, "application/json");
        }

        context.Response.Headers[OipNames.HeaderContentLength] = json.Length.ToString(CultureInfo.InvariantCulture);
        return Results.Bytes([.. json, .. binary.SelectMany(static b => b)], "application/octet-stream");
    }
}
