using Inference.Api.DataPlane;
using Inference.Api.Rest;
using Inference.Engine.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Inference.Api.Hosting;

public static class RestApiExtensions
{
    /// <summary>Problem details for every error, source-generated JSON, and body limits from <c>Inference:MaxImageBytes</c>.</summary>
    public static IServiceCollection AddRestApi(this IServiceCollection services)
    {
        services.AddDataPlane();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, InferenceJsonContext.Default));
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<InferenceOptions>>((kestrel, inference) =>
                kestrel.Limits.MaxRequestBodySize = inference.Value.MaxImageBytes + MultipartOverhead);
        // Kestrel's socket transport reads a body 4 KB at a time, by default each read preceded by a zero-byte one that
        // waits for data. Reading straight into the buffer cut the service's CPU per answer with a 163 KB body that is
        // never read (Kestrel drains it, as it does for a refusal) from 469-519 to 379-421 us, against 80-89 us with a
        // 1-byte body (bench/refusal-cost.sh, alternating; bench/README.md, issue 10): a refusal under overload is
        // mostly that drain. The cost is a 4 KB buffer held by each idle connection.
        services.Configure<SocketTransportOptions>(static socket => socket.WaitForDataBeforeAllocatingBuffer = false);
        services.AddOptions<HostOptions>()
            .Configure<IOptions<InferenceOptions>>((host, inference) =>
                host.ShutdownTimeout = inference.Value.ShutdownTimeout + TimeSpan.FromSeconds(5));
        return services;
    }

    /// <summary>
    /// Every failure answered from the one error table (problem+json; Triton's format on the OIP routes); unknown
    /// routes and status-only answers become problem+json too; a fault is logged and answered 500 without internals.
    /// </summary>
    public static WebApplication UseRestApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(static (context, next) =>
        {
            // Kestrel's body limit is the REST one. A gRPC message is bounded by Grpc:MaxReceiveMessageSize, which
            // answers RESOURCE_EXHAUSTED; left on, the REST limit broke the body read first and the call ended UNKNOWN.
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true &&
                context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = null;
            }

            return next(context);
        });
        return app;
    }

    /// <summary>Headroom for multipart boundaries and part headers above the image limit.</summary>
    private const long MultipartOverhead = 64 * 1024;
}
