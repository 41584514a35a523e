using Grpc.Net.Client;
using Inference.Api.Tests.Support;
using Inference.Engine.Models;
using Inference.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.Grpc.RealService;

/// <summary>
/// gRPC to the real service in memory (the TestServer handler of a <see cref="ServiceFactory"/>), and the engine
/// internals the tests hold or watch: the CPU compute gate and a model's queue and slots.
/// </summary>
internal static class RealServiceGrpc
{
    /// <summary>Larger than the service's 32 MB limit, so that the server's limit is what a test meets.</summary>
    public const int ClientMessageLimit = 64 * 1024 * 1024;

    public static GrpcChannel Channel(ServiceFactory factory) =>
        GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = factory.Server.CreateHandler(),
            MaxReceiveMessageSize = ClientMessageLimit,
            MaxSendMessageSize = ClientMessageLimit,
        });

    public static ComputeGate Gate(this ServiceFactory factory) => factory.Services.GetRequiredService<ComputeGate>();

    public static LoadedModel Serving(this ServiceFactory factory, string model) =>
        factory.Services.GetRequiredService<ModelManager>().GetServing(model);

    public static ModelDescriptor Descriptor(this ServiceFactory factory, string model) =>
        factory.Services.GetRequiredService<IModelCatalog>().Find(model) ?? throw new InvalidOperationException($"No model '{model}'.");

    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
