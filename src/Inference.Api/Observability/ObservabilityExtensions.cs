using Inference.Api.Observability.Gpu;
using Inference.Api.Observability.Lifecycle;
using Inference.Api.Observability.Metrics;
using Inference.Api.Observability.Requests;
using Inference.Engine.Diagnostics;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serilog;

namespace Inference.Api.Observability;

public static class ObservabilityExtensions
{
    /// <summary>The meters exported at <c>/metrics</c> (and over OTLP), besides the .NET runtime and ASP.NET Core ones.</summary>
    public static readonly string[] Meters = [EngineMetrics.MeterName, RequestMetrics.MeterName, ProcessMetrics.MeterName, GpuMetrics.MeterName];

    /// <summary>
    /// Metrics (OpenTelemetry over <c>IMeterFactory</c>, Prometheus text, OTLP when configured), traces (ASP.NET Core
    /// request spans with W3C propagation, the engine's spans), GPU sampling through NVML, and the shutdown delay.
    /// </summary>
    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<ObservabilityOptions>().Bind(builder.Configuration.GetSection(ObservabilityOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ObservabilityOptions>, ObservabilityOptionsValidator>());
        services.AddOptionsWithValidateOnStart<LifecycleOptions>().Bind(builder.Configuration.GetSection(LifecycleOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LifecycleOptions>, LifecycleOptionsValidator>());

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RequestMetrics>();
        services.TryAddSingleton<ProcessMetrics>();
        services.TryAddSingleton<IGpuReader, NvmlGpuReader>();
        services.AddHostedService<GpuMetrics>();
        services.AddHostedService<ShutdownDelayService>();
        services.TryAddSingleton<GrpcRequestMetricsInterceptor>();
        services.Configure<GrpcServiceOptions>(grpc =>
        {
            // Outermost, whatever order the gRPC options are configured in: it must see the status the client gets.
            grpc.Interceptors.Add<GrpcRequestMetricsInterceptor>();
            var registration = grpc.Interceptors[^1];
            grpc.Interceptors.RemoveAt(grpc.Interceptors.Count - 1);
            grpc.Interceptors.Insert(0, registration);
        });
        services.AddOptions<HostOptions>().PostConfigure<IOptions<LifecycleOptions>>((host, lifecycle) => host.ShutdownTimeout += lifecycle.Value.ShutdownDelay);

        var section = builder.Configuration.GetSection(ObservabilityOptions.SectionName);
        var otlpEndpoint = section.GetValue<Uri?>(nameof(ObservabilityOptions.OtlpEndpoint));
        var otlp = otlpEndpoint is not null || !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var serviceName = section[nameof(ObservabilityOptions.ServiceName)] ?? new ObservabilityOptions().ServiceName;
        var metricsPath = section[nameof(ObservabilityOptions.MetricsPath)] ?? new ObservabilityOptions().MetricsPath;

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp)
                {
                    metrics.AddOtlpExporter(exporter => exporter.Endpoint = otlpEndpoint ?? exporter.Endpoint);
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(EngineTracing.SourceName)
                    .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !IsProbe(context.Request.Path, metricsPath));
                if (otlp)
                {
                    tracing.AddOtlpExporter(exporter => exporter.Endpoint = otlpEndpoint ?? exporter.Endpoint);
                }
            });
        services.AddSingleton(new ExporterSettings(metricsPath, otlp ? (otlpEndpoint?.ToString() ?? builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]!) : null));
        return builder;
    }

    /// <summary>
    /// The request middleware (traceparent out, per-request metrics), the request-completion log event, and the
    /// Prometheus endpoint. Call it first, before the error handling, so that it sees the final status.
    /// </summary>
    public static WebApplication UseObservability(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<ExporterSettings>();
        app.Services.GetRequiredService<ProcessMetrics>();
        app.UseSerilogRequestLogging(options => RequestLogging.Configure(options, settings.MetricsPath));
        app.UseMiddleware<RequestTelemetryMiddleware>();
        app.MapPrometheusScrapingEndpoint(settings.MetricsPath);
        ObservabilityLog.Exporters(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ObservabilityExtensions).FullName!), settings.MetricsPath,
            settings.OtlpEndpoint is null ? "off (set OTEL_EXPORTER_OTLP_ENDPOINT to turn it on)" : $"to {settings.OtlpEndpoint}");
        return app;
    }

    private static bool IsProbe(PathString path, string metricsPath) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(metricsPath, StringComparison.OrdinalIgnoreCase);

    private sealed record ExporterSettings(string MetricsPath, string? OtlpEndpoint);
}
