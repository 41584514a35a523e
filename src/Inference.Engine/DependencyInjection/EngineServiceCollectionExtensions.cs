using Inference.Engine.Configuration;
using Inference.Engine.Diagnostics;
using Inference.Engine.Hosting;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Runtime;
using Inference.Preprocessing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Inference.Engine.DependencyInjection;

public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// The engine: options (validated at start), model manager, ONNX Runtime sessions, batchers,
    /// preprocessing and metrics. Models load in the background once the host starts.
    /// </summary>
    public static IServiceCollection AddInferenceEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptionsWithValidateOnStart<InferenceOptions>()
            .Bind(configuration.GetSection(InferenceOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, ConfigurationKeyValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, ModelNamesValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, ModelControlValidator>());

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EngineStatistics>();
        services.TryAddSingleton<IEngineStatistics>(sp => sp.GetRequiredService<EngineStatistics>());
        services.TryAddSingleton<EngineMetrics>();
        services.TryAddSingleton<IImagePreprocessor>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<InferenceOptions>>().Value;
            return new ImagePreprocessor(new ImageLimits
            {
                MaxEncodedBytes = options.MaxImageBytes,
                MaxPixels = options.MaxImagePixels,
                MaxDimension = options.MaxImageDimension,
            }, options.Decoder);
        });
        services.TryAddSingleton(sp => ComputeGate.ForCpu(
            new SessionFactory(sp.GetRequiredService<IOptions<InferenceOptions>>().Value, NullLogger.Instance).IntraOpThreads));
        services.TryAddSingleton(CreateManager);
        services.TryAddSingleton<IModelCatalog>(sp => sp.GetRequiredService<ModelManager>());
        services.TryAddSingleton<IModelRepositoryControl>(sp => sp.GetRequiredService<ModelManager>());
        services.TryAddSingleton(sp => new ModelRepository(RepositoryPath.Resolve(
            sp.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory(),
            sp.GetRequiredService<IOptions<InferenceOptions>>().Value.ModelRepository)));
        services.TryAddSingleton<IInferenceEngine>(sp => new InferenceEngine(
            sp.GetRequiredService<ModelManager>(),
            sp.GetRequiredService<IImagePreprocessor>(),
            sp.GetRequiredService<IOptions<InferenceOptions>>().Value,
            sp.GetRequiredService<EngineMetrics>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<ModelHostedService>();
        services.AddHostedService<RepositoryPoller>();
        return services;
    }

    private static ModelManager CreateManager(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<InferenceOptions>>().Value;
        var timeProvider = services.GetRequiredService<TimeProvider>();
        var metrics = services.GetRequiredService<EngineMetrics>();
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();
        var logger = loggerFactory.CreateLogger("Inference.Engine");
        var repository = services.GetRequiredService<ModelRepository>();

        var cpuGate = services.GetRequiredService<ComputeGate>();

        ModelLoader CreateLoader(SessionCounter liveSessions)
        {
            var sessions = new SessionFactory(options, logger);
            return new ModelLoader(
                repository,
                sessions,
                new DemoWeights(options.DemoWeightsCache, logger),
                options.QuantizationCacheDirectory,
                cpuGate,
                metrics,
                options.MaxQueueWait,
                timeProvider,
                logger,
                liveSessions);
        }

        var manager = new ModelManager(options, CreateLoader, repository, metrics, timeProvider, logger);
        metrics.Observe(manager);
        return manager;
    }
}
