using System.Net;
using Grpc.Net.Client;
using Inference.Api.Grpc;
using Inference.Api.OpenInference;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Preprocessing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inference.Api.Tests.Grpc.TestHost;

/// <summary>
/// A host with the gRPC and OIP endpoints over the fake engine, either in memory (TestServer) or on real Kestrel
/// (a loopback HTTP/2-only port, as in production). To run the same tests against the real engine, replace
/// <see cref="RegisterFakes"/> with the lead's <c>AddInferenceEngine()</c> (or use WebApplicationFactory&lt;Program&gt;
/// with ConfigureTestServices) and keep the rest.
/// </summary>
internal sealed class InferenceTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InferenceTestHost(WebApplication app, GrpcChannel channel, HttpClient http, CapturingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        Channel = channel;
        Http = http;
    }

    public GrpcChannel Channel { get; }

    /// <summary>For the OIP REST binding (in-memory host only).</summary>
    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public FakeInferenceEngine Engine => (FakeInferenceEngine)_app.Services.GetRequiredService<IInferenceEngine>();

    public FakeModelCatalog Catalog => (FakeModelCatalog)_app.Services.GetRequiredService<IModelCatalog>();

    public CapturingLoggerProvider Logs { get; }

    public static async Task<InferenceTestHost> StartAsync(bool kestrel = false, IDictionary<string, string?>? configuration = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        if (kestrel)
        {
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        RegisterFakes(builder.Services);
        builder.Services.AddInferenceGrpc(builder.Configuration);
        var app = builder.Build();
        app.MapInferenceGrpc();
        app.MapOpenInferenceRest();
        await app.StartAsync(TestContext.Current.CancellationToken);

        GrpcChannel channel;
        HttpClient http;
        const int maxMessage = 64 * 1024 * 1024;
        if (kestrel)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = maxMessage, MaxSendMessageSize = maxMessage });
            http = new HttpClient { BaseAddress = new Uri(address), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        }
        else
        {
            var server = app.GetTestServer();
            channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions
            {
                HttpHandler = server.CreateHandler(),
                MaxReceiveMessageSize = maxMessage,
                MaxSendMessageSize = maxMessage,
            });
            http = server.CreateClient();
        }

        return new InferenceTestHost(app, channel, http, logs);
    }

    private static void RegisterFakes(IServiceCollection services)
    {
        services.AddSingleton<IImagePreprocessor, FakeImagePreprocessor>();
        services.AddSingleton<IModelCatalog>(new FakeModelCatalog(FakeModels.All()));
        services.AddSingleton<IInferenceEngine, FakeInferenceEngine>();
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
