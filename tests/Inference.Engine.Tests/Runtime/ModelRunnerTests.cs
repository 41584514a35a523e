using Inference.Engine.Batching;
using Inference.Engine.Inference;
using Inference.Engine.Runtime;
using Inference.Engine.Tests.Support;

namespace Inference.Engine.Tests.Runtime;

public sealed class ModelRunnerTests(RunnerFixture fixture) : IClassFixture<RunnerFixture>
{
    private const int SlotCount = 8;

    [Fact]
    public async Task Execute_ScrambledSlots_SameOutputsAsConsecutiveSlots()
    {
        var arena = new SlotArena(SlotCount, fixture.Images[0].Length);
        var runs = new List<BatchRun>();
        using var runner = fixture.CreateRunner(arena, RunnerFixture.Shape(maxBatchSize: 4), runs);

        var consecutive = await RunBatch(runner, arena, [0, 1, 2, 3]);
        var scrambled = await RunBatch(runner, arena, [6, 2, 7, 0]);

        for (var i = 0; i < RunnerFixture.ImageCount; i++)
        {
            FloatAssert.Close(consecutive[i].Logits, scrambled[i].Logits, 1e-6, $"logits of image {i}");
            FloatAssert.Close(consecutive[i].Embedding, scrambled[i].Embedding, 1e-6, $"embedding of image {i}");
            for (var j = 0; j < i; j++)
            {
                // The images differ, so a row mix-up could not pass the comparison above.
                Assert.True(FloatAssert.RelativeDifference(consecutive[i].Logits, consecutive[j].Logits) > 1e-3, $"images {i} and {j} give the same logits");
            }
        }

        Assert.All(consecutive.Concat(scrambled), r => Assert.Equal(4, r.BatchSize));
        Assert.Equal([4, 4], runs.Select(r => r.Size));
        Assert.Equal(SlotCount, arena.Available);
    }

    [Fact]
    public async Task Execute_ConsecutiveSlotsAcrossArenaChunks_SameOutputsAsWithinOneChunk()
    {
        var arena = new SlotArena(SlotCount, fixture.Images[0].Length, chunkSlots: 4);
        using var runner = fixture.CreateRunner(arena, RunnerFixture.Shape(maxBatchSize: 4), []);

        var withinChunk = await RunBatch(runner, arena, [0, 1, 2, 3]);
        var acrossChunks = await RunBatch(runner, arena, [2, 3, 4, 5]);

        for (var i = 0; i < RunnerFixture.ImageCount; i++)
        {
            FloatAssert.Close(withinChunk[i].Logits, acrossChunks[i].Logits, 1e-6, $"logits of image {i}");
        }

        Assert.Equal(SlotCount, arena.Available);
    }

    [Fact]
    public async Task Execute_FixedBatchLargerThanBatch_PadsAndMatchesUnpaddedRun()
    {
        var arena = new SlotArena(SlotCount, fixture.Images[0].Length);
        using var dynamicRunner = fixture.CreateRunner(arena, RunnerFixture.Shape(maxBatchSize: 2), []);
        using var paddedRunner = fixture.CreateRunner(arena, RunnerFixture.Shape(maxBatchSize: 1, fixedBatchSize: 4), []);

        var unpadded = await RunBatch(dynamicRunner, arena, [0, 1]);
        var padded = await RunBatch(paddedRunner, arena, [0, 1]);

        for (var i = 0; i < 2; i++)
        {
            FloatAssert.Close(unpadded[i].Logits, padded[i].Logits, 1e-5, $"logits of image {i}");
            FloatAssert.Close(unpadded[i].Embedding, padded[i].Embedding, 1e-5, $"embedding of image {i}");
        }

        Assert.Equal(SlotCount, arena.Available);
    }

    [Fact]
    public async Task Execute_AfterABatch_NextRentsAreConsecutiveAgain()
    {
        var arena = new SlotArena(SlotCount, fixture.Images[0].Length);
        using var runner = fixture.CreateRunner(arena, RunnerFixture.Shape(maxBatchSize: 4), []);

        _ = await RunBatch(runner, arena, [0, 1, 2, 3]);

        // Requests arriving after a batch get its slots back in ascending order, so the next batch needs no gather copy.
        Assert.Equal([0, 1, 2, 3], Enumerable.Range(0, 4).Select(_ => arena.TryRent()));
    }

    [Fact]
    public async Task Execute_OnlyLogitsRequested_EmbeddingLeftEmpty()
    {
        var arena = new SlotArena(SlotCount, fixture.Images[0].Length);
        using var runner = fixture.CreateRunner(arena, RunnerFixture.Shape(maxBatchSize: 2), []);
        var slot = arena.TryRent();
        fixture.Images[0].CopyTo(arena.Slot(slot));
        var item = RunnerFixture.Item(slot, InferenceOutputs.Logits, TestContext.Current.CancellationToken);

        runner.Execute([item], 0);

        var result = await ResultCopy.Of(new ValueTask<InferenceResult>(item.Completion));
        Assert.Equal(1000, result.Logits.Length);
        Assert.Empty(result.Embedding);
        Assert.Equal(SlotCount, arena.Available);
    }

    /// <summary>
    /// A caller that reads the statistics after its answer must find its own images counted, so the batch is recorded
    /// before any item is answered; that holds for a failed run too.
    /// </summary>
    [Theory]
    [InlineData(1000)]
    [InlineData(10)]
    public void Execute_SucceedingOrFailingRun_RecordedBeforeAnyItemIsAnswered(int logitsPerImage)
    {
        var arena = new SlotArena(SlotCount, fixture.Images[0].Length);
        var answeredWhenRecorded = new List<int>();
        var runs = new List<BatchRun>();
        using var runner = fixture.CreateRunner(
            arena, new ModelShape(3, 224, 224, 2, null, logitsPerImage, 512), runs,
            onBatch: batch => answeredWhenRecorded.Add(batch.Count(item => item.Completion.IsCompleted)));
        var items = new[] { arena.TryRent(), arena.TryRent() }.Select(slot => RunnerFixture.Item(slot, cancellationToken: TestContext.Current.CancellationToken)).ToArray();

        runner.Execute(items, 0);

        Assert.Equal([0], answeredWhenRecorded);
        Assert.Equal([2], runs.Select(r => r.Size));
        // Answered by the time Execute returns: succeeded with the graph's 1000 logits, failed with a bound 10.
        Assert.All(items, item => Assert.Equal(logitsPerImage == 1000, item.Completion.IsCompletedSuccessfully));
        Assert.All(items, item => Assert.True(item.Completion.IsCompleted));
    }

    [Theory]
    [InlineData(DropReason.DeadlineExceeded, InferenceErrorCode.DeadlineExceeded)]
    [InlineData(DropReason.ShuttingDown, InferenceErrorCode.ShuttingDown)]
    public async Task Drop_Reason_FailsWithMatchingCodeAndReturnsSlot(DropReason reason, InferenceErrorCode expected)
    {
        var arena = new SlotArena(2, 8);
        using var runner = fixture.CreateRunner(arena, RunnerFixture.Shape(maxBatchSize: 1), []);
        var item = RunnerFixture.Item(arena.TryRent(), cancellationToken: TestContext.Current.CancellationToken);

        runner.Drop(item, reason);

        var error = await Assert.ThrowsAsync<InferenceException>(() => item.Completion);
        Assert.Equal(expected, error.Code);
        Assert.Equal(2, arena.Available);
    }

    [Fact]
    public async Task Drop_Cancelled_CancelsAndReturnsSlot()
    {
        var arena = new SlotArena(2, 8);
        using var runner = fixture.CreateRunner(arena, RunnerFixture.Shape(maxBatchSize: 1), []);
        using var cancellation = new CancellationTokenSource();
        var item = RunnerFixture.Item(arena.TryRent(), cancellationToken: cancellation.Token);
        await cancellation.CancelAsync();

        runner.Drop(item, DropReason.Cancelled);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => item.Completion);
        Assert.Equal(2, arena.Available);
    }

    [Fact]
    public async Task Execute_OnnxRuntimeFails_ItemsFailWithoutRuntimeTextAndSlotsReturned()
    {
        var arena = new SlotArena(2, fixture.Images[0].Length);
        // 10 logits per image where the graph gives 1000: ONNX Runtime refuses the bound output.
        using var runner = fixture.CreateRunner(arena, new ModelShape(3, 224, 224, 1, null, 10, 512), []);
        var item = RunnerFixture.Item(arena.TryRent(), cancellationToken: TestContext.Current.CancellationToken);

        runner.Execute([item], 0);

        var error = await Assert.ThrowsAsync<InferenceException>(() => item.Completion);
        Assert.Equal(InferenceErrorCode.ExecutionFailed, error.Code);
        Assert.Contains("'runner-test'", error.Message, StringComparison.Ordinal);
        Assert.Contains("server log", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
        Assert.DoesNotContain(error.InnerException.Message, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, arena.Available);
    }

    /// <summary>Rents every slot, writes image i into <paramref name="slots"/>[i], runs them as one batch.</summary>
    private async Task<ResultCopy[]> RunBatch(ModelRunner runner, SlotArena arena, int[] slots)
    {
        var rented = Enumerable.Range(0, arena.SlotCount).Select(_ => arena.TryRent()).ToArray();
        Assert.DoesNotContain(-1, rented);
        foreach (var unused in rented.Except(slots).Reverse())
        {
            arena.Return(unused);
        }

        var batch = new List<InferenceWorkItem>();
        for (var i = 0; i < slots.Length; i++)
        {
            fixture.Images[i].CopyTo(arena.Slot(slots[i]));
            batch.Add(RunnerFixture.Item(slots[i]));
        }

        runner.Execute(batch, 0);
        return await Task.WhenAll(batch.Select(item => ResultCopy.Of(new ValueTask<InferenceResult>(item.Completion))));
    }
}
