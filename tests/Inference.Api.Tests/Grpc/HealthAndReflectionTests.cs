using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Engine.Models;

namespace Inference.Api.Tests.Grpc;

public sealed class HealthAndReflectionTests : IAsyncLifetime
{
    private InferenceTestHost _host = null!;
    private global::Grpc.Health.V1.Health.HealthClient _health = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await InferenceTestHost.StartAsync();
        _health = new global::Grpc.Health.V1.Health.HealthClient(_host.Channel);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Theory]
    [InlineData(FakeModels.Main, HealthCheckResponse.Types.ServingStatus.Serving)]
    [InlineData(FakeModels.Loading, HealthCheckResponse.Types.ServingStatus.NotServing)]
    [InlineData("", HealthCheckResponse.Types.ServingStatus.NotServing)]
    [InlineData("imageinference.v1.ImageInference", HealthCheckResponse.Types.ServingStatus.NotServing)]
    public async Task Check_WithOneModelLoading_ReportsPerModelAndServer(string service, HealthCheckResponse.Types.ServingStatus expected)
    {
        var response = await _health.CheckAsync(new HealthCheckRequest { Service = service }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.Status);
    }

    [Fact]
    public async Task Check_AllModelsReady_ServerIsServing()
    {
        _host.Catalog.Set([FakeModels.Ready()]);

        var response = await _health.CheckAsync(new HealthCheckRequest(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Check_UnknownService_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _health.CheckAsync(new HealthCheckRequest { Service = "nope" }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Watch_ModelBecomesReady_StreamsTheChange()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var call = _health.Watch(new HealthCheckRequest { Service = FakeModels.Loading }, cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, call.ResponseStream.Current.Status);

        _host.Catalog.Set([FakeModels.Ready(), FakeModels.Ready(FakeModels.Loading)]);

        Assert.True(await call.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, call.ResponseStream.Current.Status);
        await cancel.CancelAsync();
    }

    [Fact]
    public async Task Reflection_ListServices_NamesEveryApi()
    {
        var client = new ServerReflection.ServerReflectionClient(_host.Channel);
        using var call = client.ServerReflectionInfo(cancellationToken: TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, TestContext.Current.CancellationToken);
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("imageinference.v1.ImageInference", names);
        Assert.Contains("inference.GRPCInferenceService", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }
}
