using System.Globalization;
using Inference.Api.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.Observability.Support;

/// <summary>
/// The real service on a real Kestrel port (127.0.0.1, dynamic), over a temporary repository with one model,
/// <see cref="Model"/>: demo ResNet-18 weights with batch 2 and queue capacity 3, so that queue-full and deadline
/// paths can be driven by holding the compute gate. Its model name is its own, so that its series never mix with
/// those of the other test services in this process.
/// </summary>
public sealed class ObservedServiceFactory : WebApplicationFactory<Program>
{
    public const string Model = "obs18";

    private readonly string _repository = Directory.CreateTempSubdirectory("inference-obs-tests-").FullName;
    private readonly Action<IServiceCollection>? _services;
    private readonly TimeSpan _shutdownDelay;

    public ObservedServiceFactory(Action<IServiceCollection>? services = null, TimeSpan shutdownDelay = default)
    {
        _services = services;
        _shutdownDelay = shutdownDelay;
        var model = Directory.CreateDirectory(Path.Combine(_repository, Model)).FullName;
        File.WriteAllText(Path.Combine(model, "config.json"), """{ "architecture": "resnet18", "maxBatchSize": 2, "queueCapacity": 3, "maxQueueDelayMs": 2 }""");
        UseKestrel();
    }

    /// <summary>The service's address, e.g. <c>http://127.0.0.1:41234</c> (after <see cref="StartAsync"/>).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Starts Kestrel and waits until /health/ready answers 200.</summary>
    public async Task StartAsync()
    {
        StartServer();
        // REST listens on 127.0.0.1, gRPC on 127.0.0.2 (see ConfigureWebHost), so the two are told apart by host.
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => a.Contains("127.0.0.1", StringComparison.Ordinal));
        Address = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        using var client = NewClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (true)
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>A client over real sockets to <see cref="Address"/>.</summary>
    public HttpClient NewClient() => new(new SocketsHttpHandler()) { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Kestrel:Endpoints:Rest:Url", "http://127.0.0.1:0");
        builder.UseSetting("Kestrel:Endpoints:Grpc:Url", "http://127.0.0.2:0");
        builder.UseSetting("Inference:ModelRepository", _repository);
        builder.UseSetting("Inference:Models:0", Model);
        builder.UseSetting("Inference:ExecutionProvider", "cpu");
        builder.UseSetting("Inference:DemoWeightsCache", ServiceFactory.DemoWeightsCache);
        builder.UseSetting("Inference:ShutdownTimeout", "00:00:10");
        builder.UseSetting("Lifecycle:ShutdownDelay", _shutdownDelay.ToString("c", CultureInfo.InvariantCulture));
        builder.UseSetting("Logging:Format", "json");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        builder.UseSetting("Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware", "Information");
        builder.UseSetting("Serilog:MinimumLevel:Override:Inference.Api.Observability", "Information");
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_repository, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }
}
