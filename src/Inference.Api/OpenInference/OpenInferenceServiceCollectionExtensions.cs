using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Inference.Api.OpenInference;

public static class OpenInferenceServiceCollectionExtensions
{
    /// <summary>The services both Open Inference Protocol bindings share (called by AddInferenceGrpc).</summary>
    public static IServiceCollection AddOpenInference(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OipStatistics>();
        services.TryAddSingleton<OipInferenceRunner>();
        return services;
    }
}
