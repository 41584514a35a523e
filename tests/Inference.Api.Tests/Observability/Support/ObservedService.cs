using Inference.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace Inference.Api.Tests.Observability.Support;

/// <summary>One ready service on Kestrel shared by the <see cref="ObservabilityTests"/>, with its log events captured.</summary>
public sealed class ObservedService : IAsyncLifetime
{
    public ObservedService() => Factory = new ObservedServiceFactory(services => services.AddSingleton<ILogEventSink>(Logs));

    public ObservedServiceFactory Factory { get; }

    public LogCapture Logs { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    internal ComputeGate Gate => Factory.Services.GetRequiredService<ComputeGate>();

    internal LoadedModel Model => Factory.Services.GetRequiredService<ModelManager>().GetServing(ObservedServiceFactory.Model);

    public async ValueTask InitializeAsync()
    {
        await Factory.StartAsync();
        Client = Factory.NewClient();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
