using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Inference.Api.Tests.OpenInference;
using Inference.Api.Tests.Support;
using Inference.Contracts.Grpc.V1;
using Inference.Contracts.OpenInference;
using Inference.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;
using HealthClient = Grpc.Health.V1.Health.HealthClient;
using ModelState = Inference.Contracts.Grpc.V1.ModelState;

namespace Inference.Api.Tests.Grpc.RealService;

/// <summary>Once the real service begins draining, every gRPC API refuses new work with UNAVAILABLE (its own service: draining is one-way).</summary>
public sealed class GrpcDrainTests : IAsyncLifetime
{
    private readonly ServiceFactory _factory = new();
    private GrpcChannel _channel = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        (await _factory.CreateReadyClientAsync()).Dispose();
        _channel = RealServiceGrpc.Channel(_factory);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task AllApis_WhileDraining_AreUnavailableAndReportNotServing()
    {
        var client = new ImageInference.ImageInferenceClient(_channel);
        var oip = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
        var image = ByteString.CopyFrom(TestImages.Jpeg(500));
        Assert.Equal(5, (await client.ClassifyAsync(new ClassifyRequest { Model = ServiceFactory.Model, Image = image }, cancellationToken: Ct)).Predictions.Count);

        _factory.Services.GetRequiredService<ModelManager>().BeginDrain();

        var classify = await Assert.ThrowsAsync<RpcException>(() =>
            client.ClassifyAsync(new ClassifyRequest { Model = ServiceFactory.Model, Image = image }, cancellationToken: Ct).ResponseAsync);
        var embed = await Assert.ThrowsAsync<RpcException>(() =>
            client.EmbedAsync(new EmbedRequest { Model = ServiceFactory.Model, Image = image }, cancellationToken: Ct).ResponseAsync);
        var infer = await Assert.ThrowsAsync<RpcException>(() =>
            oip.ModelInferAsync(OipRequests.Images(image.ToByteArray()).Also(r => r.ModelName = ServiceFactory.Model), cancellationToken: Ct).ResponseAsync);
        using var stream = client.EmbedStream(cancellationToken: Ct);
        await stream.RequestStream.WriteAsync(new EmbedRequest { Id = "d1", Model = ServiceFactory.WideModel, Image = image }, Ct);
        await stream.RequestStream.CompleteAsync();
        var item = Assert.Single(await stream.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct));

        Assert.All([classify, embed, infer], e =>
        {
            Assert.Equal(StatusCode.Unavailable, e.StatusCode);
            Assert.Contains("shutting down", e.Status.Detail, StringComparison.Ordinal);
        });
        Assert.Equal(("d1", (int)StatusCode.Unavailable), (item.Id, item.Error.Code));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing,
            (await new HealthClient(_channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct)).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing,
            (await new HealthClient(_channel).CheckAsync(new HealthCheckRequest { Service = ServiceFactory.Model }, cancellationToken: Ct)).Status);
        Assert.False((await oip.ServerReadyAsync(new ServerReadyRequest(), cancellationToken: Ct)).Ready);
        Assert.False((await oip.ModelReadyAsync(new ModelReadyRequest { Name = ServiceFactory.Model }, cancellationToken: Ct)).Ready);
        Assert.True((await oip.ServerLiveAsync(new ServerLiveRequest(), cancellationToken: Ct)).Live);
        Assert.All((await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct)).Models, m => Assert.Equal(ModelState.Draining, m.State));
    }
}
