using System.Text.Json;
using Inference.Api.Errors;
using Inference.Engine.Models;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Inference.Api.ModelControl;

/// <summary>
/// The Open Inference Protocol's model repository extension over REST, as Triton serves it:
/// <c>POST /v2/repository/index</c> (optional body <c>{"ready": true}</c>) answers
/// <c>[{"name","version","state","reason"}]</c>; <c>POST /v2/repository/models/{model}/load</c> and <c>/unload</c>
/// answer 200 with an empty body. Failures are problem+json (401 without the admin key, 403 with a wrong one).
/// </summary>
public static class ModelControlEndpoints
{
    public static IServiceCollection AddModelControl(this IServiceCollection services)
    {
        services.TryAddSingleton<ModelControlApi>();
        return services;
    }

    public static IEndpointRouteBuilder MapModelControlApi(this IEndpointRouteBuilder endpoints)
    {
        var repository = endpoints.MapGroup("/v2/repository").WithTags("Model repository");
        repository.MapPost("/index", IndexAsync);
        repository.MapPost("/models/{model}/load", async (string model, HttpContext context, ModelControlApi api) =>
        {
            await api.LoadAsync(context.Request.Headers.Authorization, model, context.RequestAborted).ConfigureAwait(false);
            return Results.Ok();
        });
        repository.MapPost("/models/{model}/unload", async (string model, HttpContext context, ModelControlApi api) =>
        {
            await api.UnloadAsync(context.Request.Headers.Authorization, model, context.RequestAborted).ConfigureAwait(false);
            return Results.Ok();
        });
        return endpoints;
    }

    private static async Task<IResult> IndexAsync(HttpContext context, ModelControlApi api)
    {
        var readyOnly = await ReadyOnlyAsync(context.Request).ConfigureAwait(false);
        var index = api.Index(readyOnly);
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var entry in index)
            {
                json.WriteStartObject();
                json.WriteString("name", entry.Name);
                json.WriteString("version", entry.Version);
                json.WriteString("state", entry.State);
                json.WriteString("reason", entry.Reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Results.Bytes(buffer.ToArray(), "application/json");
    }

    /// <summary>The optional <c>{"ready": bool}</c> body (an empty body means false).</summary>
    private static async Task<bool> ReadyOnlyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ApiException(ApiErrorCode.InvalidParameter, "The index body must be a JSON object such as {\"ready\": true}.");
            }

            return document.RootElement.TryGetProperty("ready", out var ready)
                ? ready.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new ApiException(ApiErrorCode.InvalidParameter, "'ready' must be true or false."),
                }
                : false;
        }
        catch (JsonException e)
        {
            throw new ApiException(ApiErrorCode.InvalidParameter, $"The index body is not valid JSON: {ErrorTable.Echo(e.Message)}");
        }
    }
}
