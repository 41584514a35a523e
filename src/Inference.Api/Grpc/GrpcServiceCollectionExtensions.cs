using Grpc.AspNetCore.Server;
using Inference.Api.DataPlane;
using Inference.Api.OpenInference;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Inference.Api.Grpc;

/// <summary>Registers and maps the gRPC APIs: imageinference.v1, the Open Inference Protocol, health and reflection.</summary>
public static class GrpcServiceCollectionExtensions
{
    /// <summary>
    /// Adds gRPC with image-sized message limits (section <c>Grpc</c>), the error-mapping interceptor, server
    /// reflection, the per-model health service and the Open Inference Protocol services (shared with its REST binding).
    /// Needs <c>IInferenceEngine</c> and <c>IModelCatalog</c> from <c>AddInferenceEngine()</c>.
    /// </summary>
    public static IServiceCollection AddInferenceGrpc(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<InferenceGrpcOptions>()
            .Bind(configuration.GetSection(InferenceGrpcOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceGrpcOptions>, InferenceGrpcOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddGrpc(options => options.Interceptors.Add<GrpcExceptionInterceptor>());
        services.AddOptions<GrpcServiceOptions>()
            .Configure<IOptions<InferenceGrpcOptions>>((grpc, ours) =>
            {
                grpc.MaxReceiveMessageSize = ours.Value.MaxReceiveMessageSize;
                grpc.MaxSendMessageSize = ours.Value.MaxSendMessageSize;
            });
        services.AddGrpcReflection();
        services.TryAddSingleton<InferenceHealthService>();
        services.TryAddSingleton<EmbedStreamPipeline>();
        services.AddDataPlane();
        services.AddOpenInference();
        return services;
    }

    /// <summary>Maps ImageInference, GRPCInferenceService, grpc.health.v1.Health and (if enabled) reflection.</summary>
    public static IEndpointRouteBuilder MapInferenceGrpc(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ImageInferenceService>();
        endpoints.MapGrpcService<OpenInferenceGrpcService>();
        endpoints.MapGrpcService<InferenceHealthService>();
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<InferenceGrpcOptions>>().Value.EnableReflection)
        {
            endpoints.MapGrpcReflectionService();
        }

        return endpoints;
    }
}
