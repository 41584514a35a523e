using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference.Api.Tests.OpenInference;
using Inference.Api.Tests.OpenInference.RealService;
using Inference.Api.Tests.Support;
using Inference.Contracts.Grpc.V1;
using Inference.Contracts.OpenInference;
using Inference.Engine.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.Grpc.RealService;

/// <summary>
/// Status codes of the real service. Queue-full and deadline are made deterministic by holding the CPU compute
/// gate, so that test18's executor blocks on its first batch (test18: max batch 2, queue capacity 3).
/// </summary>
[Collection(ServiceTests.Name)]
public sealed class GrpcStatusRealServiceTests(ServiceFixture service) : IDisposable
{
    private readonly GrpcChannel _channel = RealServiceGrpc.Channel(service.Factory);
    private readonly EngineMeterRecorder _engine = new(service.Factory.Services.GetRequiredService<EngineMetrics>());

    private ImageInference.ImageInferenceClient Client => new(_channel);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _engine.Dispose();
        _channel.Dispose();
    }

    public static TheoryData<string, string, StatusCode, string> Failures => new()
    {
        { "text", ServiceFactory.Model, StatusCode.InvalidArgument, "not a supported image format" },
        { "truncated", ServiceFactory.Model, StatusCode.InvalidArgument, "truncated" },
        { "empty", ServiceFactory.Model, StatusCode.InvalidArgument, "empty" },
        { "jpeg", "", StatusCode.InvalidArgument, "model name" },
        { "jpeg", "resnet9000", StatusCode.NotFound, "resnet9000" },
        { "over MaxImageBytes", ServiceFactory.Model, StatusCode.ResourceExhausted, "MaxEncodedBytes" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Classify_Failure_MapsToStatusNamingTheProblem(string image, string model, StatusCode expected, string detail)
    {
        var jpeg = TestImages.Jpeg(201);
        var bytes = image switch
        {
            "text" => "this is not an image"u8.ToArray(),
            "truncated" => jpeg[..(jpeg.Length / 2)],
            "empty" => [],
            "over MaxImageBytes" => [.. jpeg, .. new byte[ServiceFactory.MaxImageBytes]],
            _ => jpeg,
        };

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.ClassifyAsync(new ClassifyRequest { Model = model, Image = ByteString.CopyFrom(bytes) }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(detail, error.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Embed_MessageOverMaxReceiveMessageSize_IsResourceExhaustedAndNeverReachesTheEngine()
    {
        var tooLarge = ByteString.CopyFrom(new byte[(32 * 1024 * 1024) + 1]);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.EmbedAsync(new EmbedRequest { Model = ServiceFactory.Model, Image = tooLarge }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("maximum configured message size", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(_engine.Batches(ServiceFactory.Model));
        Assert.Empty(_engine.Rejections(ServiceFactory.Model));
    }

    [Fact]
    public async Task Infer_QueueFull_IsResourceExhaustedOverGrpcAnd503OverOipRestAndEveryAcceptedCallSucceeds()
    {
        var model = service.Factory.Serving(ServiceFactory.Model);
        var image = OipRequests.LengthPrefixed([TestImages.Jpeg(306)]);
        var accepted = new List<Task<ClassifyResponse>>();
        using (service.Factory.Gate().Enter())
        {
            accepted.Add(Classify(300));
            await RealServiceGrpc.WaitUntilAsync(() => model.InFlight == 1);
            accepted.AddRange([Classify(301), Classify(302), Classify(303)]);
            await RealServiceGrpc.WaitUntilAsync(() => model.QueueDepth == 3);

            var error = await Assert.ThrowsAsync<RpcException>(() => Classify(304));
            var oip = await Assert.ThrowsAsync<RpcException>(() => new GRPCInferenceService.GRPCInferenceServiceClient(_channel)
                .ModelInferAsync(RealOip.Images(ServiceFactory.Model, TestImages.Jpeg(305)), cancellationToken: Ct).ResponseAsync);
            using var rest = await RealOip.PostBinaryAsync(service.Client, ServiceFactory.Model, new
            {
                inputs = new[] { new { name = "input", datatype = "BYTES", shape = new[] { 1 }, parameters = new { binary_data_size = image.Length } } },
            }, image);

            Assert.All([error, oip], e =>
            {
                Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
                Assert.Contains("queue", e.Status.Detail, StringComparison.OrdinalIgnoreCase);
            });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, rest.Status);
            Assert.Contains("queue", rest.Json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        Assert.All(await Task.WhenAll(accepted), r => Assert.Equal(5, r.Predictions.Count));
        Assert.Equal(["queue_full", "queue_full", "queue_full"], _engine.Rejections(ServiceFactory.Model));
        await RealServiceGrpc.WaitUntilAsync(() => model.FreeSlots == model.SlotCount);
    }

    [Fact]
    public async Task Classify_DeadlinePassesWhileQueued_IsDeadlineExceededAndTheEngineDropsItUnrun()
    {
        var model = service.Factory.Serving(ServiceFactory.Model);
        Task<ClassifyResponse> running;
        using (service.Factory.Gate().Enter())
        {
            running = Classify(310);
            await RealServiceGrpc.WaitUntilAsync(() => model.InFlight == 1);

            var error = await Assert.ThrowsAsync<RpcException>(() => Client.ClassifyAsync(
                new ClassifyRequest { Model = ServiceFactory.Model, Image = ByteString.CopyFrom(TestImages.Jpeg(311)) },
                deadline: DateTime.UtcNow.AddSeconds(1.5),
                cancellationToken: Ct).ResponseAsync);

            Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
            await RealServiceGrpc.WaitUntilAsync(() => _engine.Rejections(ServiceFactory.Model).Count == 1);
            Assert.Equal(["deadline"], _engine.Rejections(ServiceFactory.Model));
            Assert.Equal(0, model.QueueDepth);
            Assert.Equal(model.SlotCount - 1, model.FreeSlots);
        }

        Assert.Equal(5, (await running).Predictions.Count);
        await RealServiceGrpc.WaitUntilAsync(() => model.FreeSlots == model.SlotCount && _engine.Batches(ServiceFactory.Model).Count > 0);
        Assert.Equal([1], _engine.Batches(ServiceFactory.Model));
    }

    private Task<ClassifyResponse> Classify(int seed) =>
        Client.ClassifyAsync(new ClassifyRequest { Model = ServiceFactory.Model, Image = ByteString.CopyFrom(TestImages.Jpeg(seed)) }, cancellationToken: Ct).ResponseAsync;
}
