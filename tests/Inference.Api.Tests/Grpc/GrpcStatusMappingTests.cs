using Google.Protobuf;
using Grpc.Core;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Contracts.Grpc.V1;
using Microsoft.Extensions.Logging;

namespace Inference.Api.Tests.Grpc;

public sealed class GrpcStatusMappingTests : IAsyncLifetime
{
    private InferenceTestHost _host = null!;
    private ImageInference.ImageInferenceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await InferenceTestHost.StartAsync(configuration: new Dictionary<string, string?> { ["Grpc:MaxReceiveMessageSize"] = "1048576" });
        _client = new ImageInference.ImageInferenceClient(_host.Channel);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    public static TheoryData<string, string, StatusCode, string> Failures => new()
    {
        { "unknown model", "nope", StatusCode.NotFound, "nope" },
        { "empty image", FakeModels.Main, StatusCode.InvalidArgument, "empty" },
        { "corrupt image", FakeModels.Main, StatusCode.InvalidArgument, "decoded" },
        { "model not ready", FakeModels.Loading, StatusCode.Unavailable, "Loading" },
        { "no model name", "", StatusCode.InvalidArgument, "model name" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Classify_Failure_MapsToStatusWithMessage(string scenario, string model, StatusCode expected, string detail)
    {
        var image = scenario switch
        {
            "empty image" => ByteString.Empty,
            "corrupt image" => ByteString.CopyFrom(TestImages.Corrupt),
            _ => ByteString.CopyFrom(TestImages.Png(1)),
        };

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ClassifyAsync(new ClassifyRequest { Model = model, Image = image }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(detail, error.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Classify_NegativeTopK_IsInvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ClassifyAsync(
            new ClassifyRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Png(1)), TopK = -2 },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("top_k", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embed_ModelWithoutEmbedding_IsInvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.EmbedAsync(
            new EmbedRequest { Model = FakeModels.NoEmbedding, Image = ByteString.CopyFrom(TestImages.Png(1)) },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("embedding", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_QueueFull_IsResourceExhausted()
    {
        _host.Engine.QueueCapacity = 0;

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ClassifyAsync(
            new ClassifyRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Png(1)) },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("queue", error.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Classify_ShuttingDown_IsUnavailable()
    {
        _host.Engine.ShuttingDown = true;

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ClassifyAsync(
            new ClassifyRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Png(1)) },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task Classify_MessageOverLimit_IsResourceExhaustedNamingTheLimit()
    {
        var tooLarge = ByteString.CopyFrom(new byte[2 * 1024 * 1024]);

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ClassifyAsync(
            new ClassifyRequest { Model = FakeModels.Main, Image = tooLarge }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("maximum", error.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, _host.Engine.Started);
    }

    [Fact]
    public async Task Classify_DeadlinePassesWhileQueued_IsDroppedAsDeadlineExceeded()
    {
        var image = ByteString.CopyFrom(TestImages.Png(1));
        await _client.ClassifyAsync(new ClassifyRequest { Model = FakeModels.Main, Image = image }, cancellationToken: TestContext.Current.CancellationToken);
        _host.Engine.CloseGate();

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ClassifyAsync(
            new ClassifyRequest { Model = FakeModels.Main, Image = image },
            deadline: DateTime.UtcNow.AddSeconds(1),
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(2, _host.Engine.Options.Count);
        var options = _host.Engine.Options.Last();
        Assert.NotNull(options.Timeout);
        Assert.InRange(options.Timeout.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal(1, _host.Engine.DroppedForDeadline);
        await WaitUntilAsync(() => _host.Engine.Queued == 0);
        Assert.DoesNotContain(_host.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Classify_ClientCancels_IsNotLoggedAsError()
    {
        _host.Engine.CloseGate();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var call = _client.ClassifyAsync(new ClassifyRequest { Model = FakeModels.Main, Image = ByteString.CopyFrom(TestImages.Png(1)) }, cancellationToken: cancel.Token);
        await WaitUntilAsync(() => _host.Engine.Queued == 1);

        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await WaitUntilAsync(() => _host.Engine.Queued == 0);
        Assert.DoesNotContain(_host.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
