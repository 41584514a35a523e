using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference.Api.Tests.Support;
using Inference.Contracts.Grpc.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using System.Diagnostics.Metrics;

namespace Inference.Api.Tests.Observability;

/// <summary>gRPC and Open Inference Protocol calls land in inference_request_duration_seconds with their protocol and outcome.</summary>
[Collection(ServiceTests.Name)]
public sealed class ProtocolRequestMetricsTests(ServiceFixture service)
{
    [Fact]
    public async Task Classify_OverGrpc_RecordsOkAndClientErrorWithGrpcProtocol()
    {
        var meterFactory = service.Factory.Services.GetRequiredService<IMeterFactory>();
        using var durations = new MetricCollector<double>(meterFactory, "Inference.Api", "inference.request.duration");
        using var channel = GrpcChannel.ForAddress(
            service.Factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = service.Factory.Server.CreateHandler() });
        var client = new ImageInference.ImageInferenceClient(channel);
        var cancellationToken = TestContext.Current.CancellationToken;

        await client.ClassifyAsync(
            new ClassifyRequest { Model = ServiceFactory.Model, Image = ByteString.CopyFrom(TestImages.Jpeg(300)), TopK = 3 },
            cancellationToken: cancellationToken);
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await client.ClassifyAsync(
            new ClassifyRequest { Model = ServiceFactory.Model, Image = ByteString.CopyFromUtf8("not an image"), TopK = 3 },
            cancellationToken: cancellationToken));

        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        var grpc = durations.GetMeasurementSnapshot().Where(m => Equals(m.Tags["protocol"], "grpc")).ToList();
        Assert.Equal(2, grpc.Count);
        Assert.All(grpc, m =>
        {
            Assert.Equal(ServiceFactory.Model, m.Tags["model"]);
            Assert.Equal("classify", m.Tags["endpoint"]);
        });
        Assert.Equal(["ok", "client_error"], grpc.Select(m => (string)m.Tags["outcome"]!));
    }

    [Fact]
    public async Task Infer_OverOipRest_RecordsWithOipRestProtocol()
    {
        var meterFactory = service.Factory.Services.GetRequiredService<IMeterFactory>();
        using var durations = new MetricCollector<double>(meterFactory, "Inference.Api", "inference.request.duration");
        using var body = new StringContent("""{"inputs": []}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await service.Client.PostToAsync($"/v2/models/{ServiceFactory.Model}/infer", body);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var measurement = Assert.Single(durations.GetMeasurementSnapshot());
        Assert.Equal("oip-rest", measurement.Tags["protocol"]);
        Assert.Equal("infer", measurement.Tags["endpoint"]);
        Assert.Equal("client_error", measurement.Tags["outcome"]);
        Assert.Equal(ServiceFactory.Model, measurement.Tags["model"]);
    }
}
