#if HAS_GRPC_CONTRACT
using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference.Container.Tests.Infrastructure;
using Inference.Contracts.Grpc.V1;

namespace Inference.Container.Tests.Fleet;

/// <summary>
/// gRPC through HAProxy's h2c frontend: one client channel (one HTTP/2 connection) is spread per call over every
/// replica, and a long EmbedStream, which lives on one replica, is untouched by a rolling restart of the others.
/// </summary>
[Trait("Category", "Container")]
[Collection(FleetCollection.Name)]
public sealed class GrpcBalancingTests(FleetFixture fleet, ITestOutputHelper output)
{
    private const int UnaryCalls = 300;
    private const int StreamImages = 200;

    /// <summary>Pace of the stream while the other replicas restart; it stops short of the end until they are back.</summary>
    private static readonly TimeSpan StreamPace = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// Stream items in flight at most. With the server's whole window (16) on top of the REST load, the stream's
    /// replica queues past its queue budget while the others restart and answers 429 / RESOURCE_EXHAUSTED: that is
    /// admission control, not the rollout, and this test is about the rollout.
    /// </summary>
    private const int StreamInFlight = 2;

    [Fact]
    public async Task Classify_300UnaryCallsOverOneChannel_EachReplicaServesAtLeastAFifth()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = await fleet.ReadyStackAsync(ct);
        var connectionsBefore = (await stack.Stats.ReadAsync("grpc", "FRONTEND", ct)).Connections;
        using var channel = GrpcChannel.ForAddress(stack.GrpcAddress);
        var client = new ImageInference.ImageInferenceClient(channel);
        var image = ByteString.CopyFrom(TestImages.Jpeg(seed: 3));
        var servedBy = new ConcurrentQueue<string>();
        var next = -1;

        await Task.WhenAll(Enumerable.Range(0, FleetLoad.Concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < UnaryCalls)
            {
                using var call = client.ClassifyAsync(new ClassifyRequest { Model = "resnet18", Image = image, TopK = 1 }, cancellationToken: ct);
                var headers = await call.ResponseHeadersAsync;
                var response = await call;
                Assert.Single(response.Predictions);
                servedBy.Enqueue(headers.GetValue("x-served-by") ?? "(no x-served-by header)");
            }
        }, ct)));

        var connections = (await stack.Stats.ReadAsync("grpc", "FRONTEND", ct)).Connections - connectionsBefore;
        var counts = FleetStack.Replicas.ToDictionary(r => r, r => servedBy.Count(s => s == r));
        output.WriteLine($"{UnaryCalls} unary Classify calls at concurrency {FleetLoad.Concurrency} over one channel, " +
            $"{connections} connection to HAProxy's gRPC frontend: {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}");
        Assert.Equal(UnaryCalls, servedBy.Count);
        Assert.Equal(1, connections);
        Assert.All(counts, c => Assert.True(c.Value >= UnaryCalls / 5, $"{c.Key} served {c.Value} of {UnaryCalls} calls, under a fifth"));
    }

    [Fact]
    public async Task EmbedStream_200ImagesAcrossARollingRestartOfTheOtherReplicas_CompletesWithEveryVector()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = await fleet.ReadyStackAsync(ct);
        await using var load = FleetLoad.Start(stack.RestAddress);
        using var channel = GrpcChannel.ForAddress(stack.GrpcAddress);
        var client = new ImageInference.ImageInferenceClient(channel);
        var image = ByteString.CopyFrom(TestImages.Jpeg(seed: 4));
        using var call = client.EmbedStream(cancellationToken: ct);
        var responses = new List<EmbedResponse>();
        using var window = new SemaphoreSlim(StreamInFlight);
        var reader = Task.Run(async () =>
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync(ct))
            {
                responses.Add(response);
                window.Release();
            }
        }, ct);

        await window.WaitAsync(ct);
        await call.RequestStream.WriteAsync(Item(0, image), ct);
        var own = (await call.ResponseHeadersAsync).GetValue("x-served-by");
        Assert.True(own is not null && FleetStack.Replicas.Contains(own), $"HAProxy named no replica for the stream: {own}");
        var others = FleetStack.Replicas.Where(r => r != own).ToList();
        var exitCodes = new ConcurrentDictionary<string, int>();
        var restarts = Task.Run(async () =>
        {
            foreach (var replica in others)
            {
                exitCodes[replica] = await stack.StopAsync(replica);
                await stack.StartAsync(replica);
                await stack.WaitUpAsync(replica, FleetFixture.ReadyTimeout, ct);
            }
        }, ct);

        var sentDuringRestarts = 1;
        for (var i = 1; i < StreamImages; i++)
        {
            // The last few items wait for the restarts to end, so the stream spans all of them.
            if (i >= StreamImages - 10 || restarts.IsCompleted)
            {
                await restarts;
            }
            else
            {
                sentDuringRestarts++;
            }

            await window.WaitAsync(ct);
            await call.RequestStream.WriteAsync(Item(i, image), ct);
            await Task.Delay(restarts.IsCompleted ? TimeSpan.Zero : StreamPace, ct);
        }

        await call.RequestStream.CompleteAsync();
        await reader;
        var requests = await load.StopAsync();

        output.WriteLine($"EmbedStream on {own}: {responses.Count} responses to {StreamImages} images ({sentDuringRestarts} sent while " +
            $"{string.Join(" and ", others)} restarted, exit codes {string.Join(", ", exitCodes.Select(e => $"{e.Key} {e.Value}"))}); " +
            $"REST load beside it: {requests.Count} requests, {requests.Count(r => !r.Succeeded)} failed");
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal(Enumerable.Range(0, StreamImages).Select(Id), responses.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.All(responses, r => Assert.True(r.Error is null && r.Embedding.Count == 512, $"item {r.Id}: {r.Error?.Code} {r.Error?.Message}"));
        Assert.All(exitCodes, exit => Assert.True(exit.Value == 0, $"{exit.Key} exited with {exit.Value} after SIGTERM"));
        Assert.True(sentDuringRestarts > 1, "no stream item was sent while the other replicas restarted");
        Assert.All(requests, r => Assert.True(r.Succeeded, $"REST request failed: {r.Status} from {r.ServedBy}: {r.Error}"));
    }

    private static EmbedRequest Item(int index, ByteString image) => new() { Id = Id(index), Model = "resnet18", Image = image };

    private static string Id(int index) => index.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
}
#endif
