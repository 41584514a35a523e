using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Inference.Api.Tests.OpenInference.RealService;
using Inference.Api.Tests.Support;
using Inference.Contracts.OpenInference;
using Inference.Contracts.Grpc.V1;
using Inference.Engine.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.Grpc.RealService;

/// <summary>
/// The real service over real sockets, where header sizes and HTTP/2 flow control are real: echoed client input is
/// cut before it reaches <c>grpc-message</c>, and many EmbedStream calls at once are slowed down, not failed.
/// </summary>
public sealed class KestrelLimitsTests : IAsyncLifetime
{
    private KestrelService _service = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The smallest queue budget (1 ms): admission by estimated wait refuses nearly every request beyond one batch, so
    // the stream test shows that a refused stream item waits (its stream reads nothing meanwhile) instead of failing.
    public async ValueTask InitializeAsync() => _service = await KestrelService.StartAsync(("Inference:MaxQueueWait", "00:00:00.001"));

    public ValueTask DisposeAsync() => _service.DisposeAsync();

    [Fact]
    public async Task Classify_TenThousandCharacterModelName_IsNotFoundWithATruncatedMessage()
    {
        var client = new ImageInference.ImageInferenceClient(_service.Channel);
        var name = new string('m', 10_000);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ClassifyAsync(
            new ClassifyRequest { Model = name, Image = ByteString.CopyFrom(TestImages.Jpeg(500)) }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.InRange(error.Status.Detail.Length, 1, 1024);
        Assert.Contains(ServiceFactory.Model, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestClassify_LongModelName_Is404WithATruncatedDetail()
    {
        using var http = new HttpClient { BaseAddress = _service.RestAddress };

        using var response = await http.PostToAsync($"/v1/models/{new string('m', 4_000)}/classify", Requests.Image(TestImages.Jpeg(501)));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not served");
        Assert.InRange(problem.GetProperty("detail").GetString()!.Length, 1, 1024);
    }

    [Fact]
    public async Task OipModelInfer_MoreImagesThanTheModelsQueue_IsInvalidArgumentNamingTheLimit()
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_service.Channel);
        var images = Enumerable.Range(0, 4).Select(i => TestImages.Jpeg(510 + i)).ToArray();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(RealOip.Images(ServiceFactory.Model, images), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("at most 3 images", error.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// Many streams at once on the small-queue model (capacity 3), under a 1 ms queue budget: every item is answered,
    /// none RESOURCE_EXHAUSTED (200 streams x 5 images once failed 911 of 1,000 items).
    /// </summary>
    [Fact]
    public async Task EmbedStream_ManyConcurrentStreams_AnswersEveryItemWithoutFailing()
    {
        const int streams = 40;
        const int perStream = 3;
        var client = new ImageInference.ImageInferenceClient(_service.Channel);
        var image = ByteString.CopyFrom(TestImages.Jpeg(502));

        var results = await Task.WhenAll(Enumerable.Range(0, streams).Select(s => Task.Run(async () =>
        {
            using var call = client.EmbedStream(cancellationToken: Ct);
            for (var i = 0; i < perStream; i++)
            {
                await call.RequestStream.WriteAsync(new EmbedRequest { Id = $"{s}-{i}", Model = ServiceFactory.Model, Image = image }, Ct);
            }

            await call.RequestStream.CompleteAsync();
            return await call.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct);
        }, Ct)));

        var items = results.SelectMany(r => r).ToList();
        Assert.Equal(streams * perStream, items.Count);
        Assert.Empty(items.Where(r => r.Error is not null).Select(r => $"{r.Id}: {r.Error.Code} {r.Error.Message}"));

        // An item that waited out refusals is one request that succeeded, not failures and then a success.
        var stats = _service.Services.GetRequiredService<IEngineStatistics>().Snapshot(ServiceFactory.Model);
        Assert.Equal((streams * perStream, 0L), (stats.Success.Count, stats.Fail.Count));
    }
}
