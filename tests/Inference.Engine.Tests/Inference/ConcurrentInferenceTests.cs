using Inference.Engine.Inference;
using Inference.Engine.Tests.Support;

namespace Inference.Engine.Tests.Inference;

[Collection(EngineCollection.Name)]
public sealed class ConcurrentInferenceTests(EngineFixture fixture)
{
    private const int Requests = 12;

    [Fact]
    public async Task InferImageAsync_ConcurrentCallers_EachGetsItsOwnImagesAnswer()
    {
        var ct = TestContext.Current.CancellationToken;
        var engine = fixture.Host.Engine;
        var images = Enumerable.Range(0, Requests).Select(seed => TestImages.Jpeg(200 + seed)).ToArray();

        var alone = new ResultCopy[Requests];
        for (var i = 0; i < Requests; i++)
        {
            alone[i] = await ResultCopy.Of(engine.InferImageAsync(EngineFixture.ModelName, images[i], InferenceRequestOptions.Default, ct));
        }

        PendingResult[] pending;
        using (fixture.Host.HoldCompute())
        {
            // Callers on pool threads preprocess in parallel and queue while no forward pass can run,
            // so the executor must serve them in shared batches.
            pending = await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => Task.Run(
                () => new PendingResult(ResultCopy.Of(engine.InferImageAsync(EngineFixture.ModelName, images[i], InferenceRequestOptions.Default, ct))),
                ct)));
            Assert.InRange(fixture.Host.Manager.GetServing(EngineFixture.ModelName).QueueDepth, Requests - EngineFixture.MaxBatchSize, Requests);
        }

        var together = await Task.WhenAll(pending.Select(p => p.Result)).WaitAsync(TimeSpan.FromMinutes(2), ct);

        Assert.All(alone, r => Assert.Equal(1, r.BatchSize));
        Assert.Equal(EngineFixture.MaxBatchSize, together.Max(r => r.BatchSize));
        for (var i = 0; i < Requests; i++)
        {
            FloatAssert.Close(alone[i].Logits, together[i].Logits, 1e-5, $"logits of request {i}");
            FloatAssert.Close(alone[i].Embedding, together[i].Embedding, 1e-5, $"embedding of request {i}");
            Assert.True(
                FloatAssert.RelativeDifference(alone[i].Logits, alone[(i + 1) % Requests].Logits) > 1e-3,
                $"requests {i} and {(i + 1) % Requests} have the same answer, so a mix-up would go unseen");
        }
    }
}
