using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using System.Diagnostics.Metrics;

namespace Inference.Engine.Tests.Inference;

/// <summary>
/// Queue full, deadline and cancellation, made deterministic by holding the CPU compute gate: the executor
/// blocks on a full batch of two, so later requests stay queued until the gate is released.
/// </summary>
public sealed class BackpressureTests(BackpressureFixture fixture) : IClassFixture<BackpressureFixture>
{
    private static readonly float[] Zeros = new float[3 * 224 * 224];

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task InferTensorAsync_EverySlotTaken_ThrowsQueueFullThenQueuedWorkCompletes()
    {
        using var rejected = Collector<long>("inference.requests.rejected");
        using var depth = Collector<int>("inference.queue.depth");
        Task<ResultCopy>[] accepted;
        using (fixture.Host.HoldCompute())
        {
            var running = await StartRunningBatch();
            var queued = Enumerable.Range(0, 3).Select(_ => Submit()).ToArray();
            Assert.Equal(3, fixture.Serving.QueueDepth);

            var error = await Assert.ThrowsAsync<InferenceException>(async () =>
                await fixture.Host.Engine.InferTensorAsync(BackpressureFixture.ModelName, Zeros, InferenceRequestOptions.Default, _ct));

            Assert.Equal(InferenceErrorCode.QueueFull, error.Code);
            Assert.NotNull(error.RetryAfter);
            Assert.True(error.RetryAfter > TimeSpan.Zero);
            Assert.Contains(BackpressureFixture.ModelName, error.Message, StringComparison.Ordinal);
            var measurement = Assert.Single(rejected.GetMeasurementSnapshot());
            Assert.Equal(1, measurement.Value);
            Assert.Equal(BackpressureFixture.ModelName, measurement.Tags["model"]);
            Assert.Equal("queue_full", measurement.Tags["reason"]);
            depth.RecordObservableInstruments();
            Assert.Equal(3, depth.LastMeasurement!.Value);
            accepted = [.. running, .. queued];
        }

        // Two run now and two more once the executor frees; the fifth waits for a partner to fill its batch.
        await Task.WhenAll(accepted[..2]).WaitAsync(TimeSpan.FromMinutes(2), _ct);
        await Eventually.True(() => fixture.Serving.QueueDepth == 1, "the second batch to start");
        var partner = Submit();

        var results = await Task.WhenAll([.. accepted, partner]).WaitAsync(TimeSpan.FromMinutes(2), _ct);

        Assert.All(results, r => Assert.Equal(1000, r.Logits.Length));
        Assert.All(results, r => Assert.Equal(2, r.BatchSize));
        await AssertAllSlotsFree();
    }

    [Fact]
    public async Task InferTensorAsync_DeadlinePassesWhileQueued_ThrowsDeadlineExceeded()
    {
        using var rejected = Collector<long>("inference.requests.rejected");
        Task<ResultCopy>[] running;
        using (fixture.Host.HoldCompute())
        {
            running = await StartRunningBatch();
            var hurried = Submit(new InferenceRequestOptions { Timeout = TimeSpan.FromMilliseconds(50) });

            var error = await Assert.ThrowsAsync<InferenceException>(() => hurried.WaitAsync(TimeSpan.FromMinutes(1), _ct));

            Assert.Equal(InferenceErrorCode.DeadlineExceeded, error.Code);
            Assert.Equal(BackpressureFixture.SlotCount - 2, SlotCounter.Free(fixture.Serving));
            var measurement = Assert.Single(rejected.GetMeasurementSnapshot());
            Assert.Equal("deadline", measurement.Tags["reason"]);
        }

        Assert.All(await Task.WhenAll(running).WaitAsync(TimeSpan.FromMinutes(2), _ct), r => Assert.Equal(1000, r.Logits.Length));
        await AssertAllSlotsFree();
    }

    [Fact]
    public async Task InferTensorAsync_CancelledWhileQueued_ThrowsAndFreesSlotAtOnce()
    {
        Task<ResultCopy>[] running;
        using (fixture.Host.HoldCompute())
        {
            running = await StartRunningBatch();
            using var cancellation = new CancellationTokenSource();
            var abandoned = ResultCopy.Of(fixture.Host.Engine.InferTensorAsync(
                BackpressureFixture.ModelName, Zeros, InferenceRequestOptions.Default, cancellation.Token));
            Assert.Equal(1, fixture.Serving.QueueDepth);

            // Let the scheduler look at the live request and park (waiting for a partner or the batching delay),
            // so that it is the cancellation itself that must wake it.
            await Task.Delay(200, _ct);
            await cancellation.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(TimeSpan.FromMinutes(1), _ct));

            // The batcher is poked, so the slot comes back while the executor is still blocked
            // (without that it would wait for the 10 s batching delay).
            await Eventually.True(() => fixture.Serving.QueueDepth == 0, "the cancelled request to leave the queue", timeoutSeconds: 5);
            Assert.Equal(BackpressureFixture.SlotCount - 2, SlotCounter.Free(fixture.Serving));
        }

        Assert.All(await Task.WhenAll(running).WaitAsync(TimeSpan.FromMinutes(2), _ct), r => Assert.Equal(1000, r.Logits.Length));
        await AssertAllSlotsFree();
    }

    /// <summary>Queues two requests, a full batch, and waits until the executor has taken them (it then blocks on the gate).</summary>
    private async Task<Task<ResultCopy>[]> StartRunningBatch()
    {
        Assert.Equal(0, fixture.Serving.QueueDepth);
        var running = new[] { Submit(), Submit() };
        await Eventually.True(() => fixture.Serving.QueueDepth == 0, "the first batch to be dispatched");
        return running;
    }

    private Task<ResultCopy> Submit(InferenceRequestOptions? options = null) =>
        ResultCopy.Of(fixture.Host.Engine.InferTensorAsync(BackpressureFixture.ModelName, Zeros, options ?? InferenceRequestOptions.Default, _ct));

    private MetricCollector<T> Collector<T>(string instrument)
        where T : struct =>
        new(fixture.Host.Services.GetRequiredService<IMeterFactory>(), EngineMetrics.MeterName, instrument);

    private async Task AssertAllSlotsFree()
    {
        await Eventually.True(() => fixture.Serving.QueueDepth == 0, "the queue to empty");
        await Eventually.True(() => SlotCounter.Free(fixture.Serving) == BackpressureFixture.SlotCount, "every slot to be returned");
    }
}
