using Grpc.Net.Client;
using Inference.Api.Grpc;
using Inference.Api.OpenInference;
using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Preprocessing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inference.Api.Tests.Grpc.TestHost;

/// <summary>
/// A host with the gRPC and OIP endpoints over a fake engine, catalog and preprocessor, in memory (TestServer):
/// for what the real engine cannot be made to do on demand (a model stuck loading, a model without an embedding,
/// exact control of queued requests). The same APIs are tested against the real service and engine, in memory
/// and over real Kestrel sockets, in <c>Grpc/RealService</c> and <c>OpenInference/RealService</c>.
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

    /// <summary>For the OIP REST binding.</summary>
    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public FakeInferenceEngine Engine => (FakeInferenceEngine)_app.Services.GetRequiredService<IInferenceEngine>();

    public FakeModelCatalog Catalog => (FakeModelCatalog)_app.Services.GetRequiredService<IModelCatalog>();

    public CapturingLoggerProvider Logs { get; }

    public static async Task<InferenceTestHost> StartAsync(IDictionary<string, string?>? configuration = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.WebHost.UseTestServer();

        RegisterFakes(builder.Services);
        builder.Services.AddInferenceGrpc(builder.Configuration);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.MapInferenceGrpc();
        app.MapOpenInferenceRest();
        await app.StartAsync(TestContext.Current.CancellationToken);

        const int maxMessage = 64 * 1024 * 1024;
        var server = app.GetTestServer();
        var channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = server.CreateHandler(),
            MaxReceiveMessageSize = maxMessage,
            MaxSendMessageSize = maxMessage,
        });
        return new InferenceTestHost(app, channel, server.CreateClient(), logs);
    }

    private static void RegisterFakes(IServiceCollection services)
    {
        services.AddSingleton<IImagePreprocessor, FakeImagePreprocessor>();
        services.AddSingleton<IModelCatalog>(new FakeModelCatalog(FakeModels.All()));
        services.AddSingleton<IInferenceEngine, FakeInferenceEngine>();
        // What the real engine registers beside itself; the fake engine records nothing into it.
        services.AddSingleton<IEngineStatistics>(new EngineStatistics(TimeProvider.System));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
