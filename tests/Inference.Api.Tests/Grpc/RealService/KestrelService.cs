using Grpc.Health.V1;
using Grpc.Net.Client;
using Inference.Api.Tests.Support;
using Inference.Contracts.Grpc;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using HealthClient = Grpc.Health.V1.Health.HealthClient;

namespace Inference.Api.Tests.Grpc.RealService;

/// <summary>
/// The real service on real Kestrel sockets, configured as in production (appsettings.json: a REST endpoint and an
/// HTTP/2-only cleartext gRPC endpoint) but on dynamic loopback ports: the endpoints' URLs are overridden with
/// <c>http://127.0.0.1:0</c> and their bound ports read back from Kestrel's endpoint configuration once started.
/// </summary>
internal sealed class KestrelService : IAsyncDisposable
{
    private readonly ServiceFactory _factory;

    private KestrelService(ServiceFactory factory, WebApplicationFactory<Program> kestrel, Uri grpc, Uri rest)
    {
        _factory = factory;
        Services = kestrel.Services;
        GrpcAddress = grpc;
        RestAddress = rest;
        Channel = InferenceChannel.Create(grpc.ToString());
    }

    public IServiceProvider Services { get; }

    /// <summary>The gRPC endpoint (cleartext HTTP/2 only).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>The REST endpoint.</summary>
    public Uri RestAddress { get; }

    /// <summary>A channel as a consumer makes it, with <see cref="InferenceChannel.Create"/>.</summary>
    public GrpcChannel Channel { get; }

    /// <param name="settings">Configuration keys and values that override the test service's defaults.</param>
    public static async Task<KestrelService> StartAsync(params (string Key, string Value)[] settings)
    {
        var factory = new ServiceFactory();
        ListenOptions? grpc = null;
        ListenOptions? rest = null;
        var kestrel = factory.WithWebHostBuilder(builder => builder
            .UseSetting("Kestrel:Endpoints:Rest:Url", "http://127.0.0.1:0")
            .UseSetting("Kestrel:Endpoints:Grpc:Url", "http://127.0.0.1:0")
            .UseSettings(settings));
        kestrel.UseKestrel(options =>
        {
            var loader = options.ConfigurationLoader ?? throw new InvalidOperationException("Kestrel has no endpoint configuration loader.");
            loader.Endpoint("Grpc", endpoint => grpc = endpoint.ListenOptions).Endpoint("Rest", endpoint => rest = endpoint.ListenOptions);
        });
        kestrel.StartServer();
        if (grpc?.IPEndPoint is not { Port: > 0 } grpcEndPoint || rest?.IPEndPoint is not { Port: > 0 } restEndPoint)
        {
            await factory.DisposeAsync();
            throw new InvalidOperationException("Kestrel did not bind the Grpc and Rest endpoints of the configuration.");
        }

        var service = new KestrelService(factory, kestrel, new Uri($"http://{grpcEndPoint}"), new Uri($"http://{restEndPoint}"));
        await service.WaitUntilServingAsync();
        return service;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task WaitUntilServingAsync()
    {
        var health = new HealthClient(Channel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        while ((await health.CheckAsync(new HealthCheckRequest(), cancellationToken: timeout.Token)).Status != HealthCheckResponse.Types.ServingStatus.Serving)
        {
            await Task.Delay(100, timeout.Token);
        }
    }
}

internal static class WebHostBuilderSettings
{
    public static IWebHostBuilder UseSettings(this IWebHostBuilder builder, (string Key, string Value)[] settings)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        return builder;
    }
}
