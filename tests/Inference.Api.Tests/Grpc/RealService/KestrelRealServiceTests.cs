using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Inference.Api.Tests.OpenInference;
using Inference.Api.Tests.OpenInference.RealService;
using Inference.Api.Tests.Support;
using Inference.Contracts.OpenInference;
using Inference.Contracts.Grpc.V1;
using HealthClient = Grpc.Health.V1.Health.HealthClient;

namespace Inference.Api.Tests.Grpc.RealService;

/// <summary>The real service over real sockets: the gRPC endpoint is cleartext HTTP/2 only, as configured for production.</summary>
public sealed class KestrelRealServiceTests : IAsyncLifetime
{
    private KestrelService _service = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _service = await KestrelService.StartAsync();

    public ValueTask DisposeAsync() => _service.DisposeAsync();

    [Fact]
    public async Task ClassifyAndEmbedStream_OverH2c_AnswerFromTheRealModel()
    {
        var client = new ImageInference.ImageInferenceClient(_service.Channel);
        var images = Enumerable.Range(0, 12).Select(i => ByteString.CopyFrom(TestImages.Jpeg(400 + i))).ToArray();

        var classified = await client.ClassifyAsync(new ClassifyRequest { Model = ServiceFactory.Model, Image = images[0], TopK = 3 }, cancellationToken: Ct);
        using var call = client.EmbedStream(cancellationToken: Ct);
        for (var i = 0; i < images.Length; i++)
        {
            await call.RequestStream.WriteAsync(new EmbedRequest { Id = $"{i}", Model = ServiceFactory.WideModel, Image = images[i] }, Ct);
        }

        await call.RequestStream.CompleteAsync();
        var streamed = await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct);
        var unary = await client.EmbedAsync(new EmbedRequest { Model = ServiceFactory.WideModel, Image = images[5] }, cancellationToken: Ct);

        Assert.Equal(3, classified.Predictions.Count);
        Assert.Equal($"class {classified.Predictions[0].Index}", classified.Predictions[0].Label);
        Assert.Equal(Enumerable.Range(0, images.Length).Select(i => $"{i}").Order(), streamed.Select(r => r.Id).Order());
        Assert.All(streamed, r => Assert.Equal(512, r.Embedding.Count));
        Assert.Equal(unary.Embedding, streamed.Single(r => r.Id == "5").Embedding);
    }

    [Fact]
    public async Task OpenInferenceModelInfer_OverH2c_GivesTheLogitsOfTheRestBinding()
    {
        var image = TestImages.Jpeg(420);

        var response = await new GRPCInferenceService.GRPCInferenceServiceClient(_service.Channel)
            .ModelInferAsync(RealOip.Images(ServiceFactory.Model, image).WithOutput("logits"), cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = _service.RestAddress };
        using var rest = await RealOip.PostBinaryAsync(http, ServiceFactory.Model, new
        {
            inputs = new[] { new { name = "input", datatype = "BYTES", shape = new[] { 1 }, parameters = new { binary_data_size = 4 + image.Length } } },
            parameters = new { binary_data_output = true },
        }, OipRequests.LengthPrefixed([image]));

        Assert.Equal([1L, 1000], response.Outputs.Single().Shape);
        Assert.Equal(HttpStatusCode.OK, rest.Status);
        Assert.Equal(rest.Binary, response.RawOutputContents[0].ToByteArray());
    }

    [Theory]
    [InlineData("", HealthCheckResponse.Types.ServingStatus.Serving)]
    [InlineData("imageinference.v1.ImageInference", HealthCheckResponse.Types.ServingStatus.Serving)]
    [InlineData("inference.GRPCInferenceService", HealthCheckResponse.Types.ServingStatus.Serving)]
    [InlineData(ServiceFactory.Model, HealthCheckResponse.Types.ServingStatus.Serving)]
    public async Task HealthCheck_ReadyService_IsServing(string name, HealthCheckResponse.Types.ServingStatus expected)
    {
        var response = await new HealthClient(_service.Channel).CheckAsync(new HealthCheckRequest { Service = name }, cancellationToken: Ct);

        Assert.Equal(expected, response.Status);
    }

    [Fact]
    public async Task HealthCheck_UnknownName_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new HealthClient(_service.Channel).CheckAsync(new HealthCheckRequest { Service = "resnet9000" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Reflection_ListServices_NamesEveryApi()
    {
        using var call = new ServerReflection.ServerReflectionClient(_service.Channel).ServerReflectionInfo(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, Ct);
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("imageinference.v1.ImageInference", names);
        Assert.Contains("inference.GRPCInferenceService", names);
        Assert.Contains("grpc.health.v1.Health", names);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", names);
    }

    [Fact]
    public async Task GrpcEndpoint_Http11Request_IsRefusedAsHttp2OnlyWhileRestEndpointAnswersIt()
    {
        using var http11 = new HttpClient { DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var rest = await http11.GetAsync(new Uri(_service.RestAddress, "/health/live"), Ct);
        using var grpc = await http11.GetAsync(new Uri(_service.GrpcAddress, "/health/live"), Ct);

        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(HttpVersion.Version11, rest.Version);
        Assert.Equal(HttpStatusCode.BadRequest, grpc.StatusCode);
        Assert.Contains("HTTP/2 only endpoint", await grpc.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
