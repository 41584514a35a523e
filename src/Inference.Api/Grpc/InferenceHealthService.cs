using Grpc.Core;
using Grpc.Health.V1;
using Inference.Engine.Models;
using Microsoft.Extensions.Options;

namespace Inference.Api.Grpc;

/// <summary>
/// <c>grpc.health.v1.Health</c> answered live from the model catalog. Service "" and the API service names
/// (<c>imageinference.v1.ImageInference</c>, <c>inference.GRPCInferenceService</c>) are SERVING once every
/// model is ready; a model's name is SERVING while that model is ready. Other names are NOT_FOUND
/// (Watch: SERVICE_UNKNOWN), as the health protocol specifies.
/// </summary>
internal sealed class InferenceHealthService(IModelCatalog catalog, IOptions<InferenceGrpcOptions> options, TimeProvider time) : global::Grpc.Health.V1.Health.HealthBase
{
    private static readonly HashSet<string> ServerNames =
        ["", "imageinference.v1.ImageInference", "inference.GRPCInferenceService"];

    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        var status = StatusOf(request.Service);
        return status == HealthCheckResponse.Types.ServingStatus.ServiceUnknown
            ? throw new RpcException(new Status(StatusCode.NotFound, $"Unknown service or model '{Errors.ErrorTable.Echo(request.Service)}'."))
            : Task.FromResult(new HealthCheckResponse { Status = status });
    }

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        var last = (HealthCheckResponse.Types.ServingStatus)(-1);
        using var timer = new PeriodicTimer(options.Value.HealthWatchInterval, time);
        do
        {
            var status = StatusOf(request.Service);
            if (status != last)
            {
                await responseStream.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
                last = status;
            }
        }
        while (await timer.WaitForNextTickAsync(context.CancellationToken).ConfigureAwait(false));
    }

    /// <summary>The status of the server, an API service or a model; ServiceUnknown for anything else.</summary>
    public HealthCheckResponse.Types.ServingStatus StatusOf(string service)
    {
        if (ServerNames.Contains(service))
        {
            return catalog.AllReady ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing;
        }

        return catalog.Find(service) switch
        {
            null => HealthCheckResponse.Types.ServingStatus.ServiceUnknown,
            { State: ModelState.Ready } => HealthCheckResponse.Types.ServingStatus.Serving,
            _ => HealthCheckResponse.Types.ServingStatus.NotServing,
        };
    }
}
