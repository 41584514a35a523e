using Inference.Engine.Inference;
using Inference.Engine.Runtime;
using Inference.Engine.Tests.Support;
using Inference.Preprocessing;

namespace Inference.Engine.Tests.Runtime;

/// <summary>
/// <see cref="LoadedModel"/> owns a request's input slot from rent to return: every way a request can end gives
/// its slot back. The model batches 1 and queues 3 (4 slots) with a 1 ms queue budget, so with the compute gate
/// held a second queued request is refused by admission.
/// </summary>
public sealed class LoadedModelTests : IAsyncLifetime
{
    private const string ModelName = "owned";
    private const int SlotCount = 4;

    private static readonly float[] Zeros = new float[3 * 224 * 224];

    private readonly TempDirectory _repository = new();
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private TestEngine _host = null!;

    private LoadedModel Model => _host.Manager.GetServing(ModelName);

    public async ValueTask InitializeAsync()
    {
        TestRepository.AddDemoModel(
            _repository, ModelName, extraConfig: "\"maxBatchSize\": 1, \"queueCapacity\": 3, \"maxQueueDelayMs\": 0, \"maxQueueWaitMs\": 1");
        _host = TestEngine.Create(_repository.Root, SharedDemoWeights.CacheDirectory, [ModelName]);
        Assert.Empty(await _host.LoadAllAsync());
        Assert.Equal(SlotCount, Model.SlotCount);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _repository.Dispose();
    }

    [Fact]
    public async Task InferAsync_FillThrows_ErrorPassesThroughAndSlotReturned()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await Model.InferAsync(
            0, static (_, _) => throw new InvalidOperationException("fill failed"), Deadline(), InferenceOutputs.All, _ct));

        Assert.Equal("fill failed", error.Message);
        Assert.Equal(SlotCount, Model.FreeSlots);
        Assert.Equal(0, Model.QueueDepth);
    }

    [Fact]
    public async Task InferImageAsync_CorruptImage_PreprocessingFailsAndSlotReturned()
    {
        await Assert.ThrowsAsync<ImageProcessingException>(async () => await _host.Engine.InferImageAsync(
            ModelName, new byte[] { 0xFF, 0xD8, 0xFF, 0x00, 0x01 }, InferenceRequestOptions.Default, _ct));

        Assert.Equal(SlotCount, Model.FreeSlots);
    }

    [Fact]
    public async Task InferAsync_CancelledBeforeItRuns_CancelledAndSlotReturned()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Model.InferAsync(
            (ReadOnlyMemory<float>)Zeros, Copy, Deadline(), InferenceOutputs.All, cancelled.Token));

        await Eventually.True(() => Model.FreeSlots == SlotCount, "the cancelled request's slot to come back");
    }

    [Fact]
    public async Task InferAsync_EstimatedWaitOverBudget_RefusedBeforeFillAndSlotReturned()
    {
        Task<ResultCopy> running;
        Task<ResultCopy> queued;
        var fills = 0;
        using (_host.HoldCompute())
        {
            running = Submit();
            await Eventually.True(() => Model.InFlight == 1, "the first request to be running");
            queued = Submit();
            Assert.Equal(1, Model.QueueDepth);

            // One request is ahead (a full batch of 1), and its estimated wait exceeds the 1 ms budget.
            var refusal = await Assert.ThrowsAsync<InferenceException>(async () => await Model.InferAsync(
                (ReadOnlyMemory<float>)Zeros, (tensor, slot) => { fills++; Copy(tensor, slot); }, Deadline(), InferenceOutputs.All, _ct));

            Assert.Equal(InferenceErrorCode.QueueFull, refusal.Code);
            Assert.True(refusal.RetryAfter >= TimeSpan.FromSeconds(1));
            Assert.Contains("queue budget of 1 ms", refusal.Message, StringComparison.Ordinal);
            Assert.Equal(0, fills);
            Assert.Equal(SlotCount - 2, Model.FreeSlots);
        }

        await Task.WhenAll(running, queued).WaitAsync(TimeSpan.FromMinutes(2), _ct);
        await Eventually.True(() => Model.FreeSlots == SlotCount, "every slot to come back");
    }

    [Fact]
    public async Task Admit_IdleThenOverBudget_AdmitsThenRefusesWithoutRentingASlot()
    {
        Model.Admit(Deadline());

        Task<ResultCopy> running;
        Task<ResultCopy> queued;
        using (_host.HoldCompute())
        {
            running = Submit();
            await Eventually.True(() => Model.InFlight == 1, "the first request to be running");
            queued = Submit();

            // The same refusal a request would get (one request ahead, over the 1 ms budget), before any body is read.
            var refusal = Assert.Throws<InferenceException>(() => Model.Admit(Deadline()));

            Assert.Equal(InferenceErrorCode.QueueFull, refusal.Code);
            Assert.True(refusal.RetryAfter >= TimeSpan.FromSeconds(1));
            Assert.Equal(SlotCount - 2, Model.FreeSlots);
        }

        await Task.WhenAll(running, queued).WaitAsync(TimeSpan.FromMinutes(2), _ct);
        await Eventually.True(() => Model.FreeSlots == SlotCount, "every slot to come back");
        Model.Admit(Deadline());
    }

    [Fact]
    public async Task InferAsync_AfterTheBatcherStopped_ShuttingDownAndSlotReturned()
    {
        var model = Model;
        await model.DrainAsync(_ct);

        var error = await Assert.ThrowsAsync<InferenceException>(async () => await model.InferAsync(
            (ReadOnlyMemory<float>)Zeros, Copy, Deadline(), InferenceOutputs.All, _ct));

        Assert.Equal(InferenceErrorCode.ShuttingDown, error.Code);
        Assert.Equal(SlotCount, model.FreeSlots);
    }

    private static void Copy(ReadOnlyMemory<float> tensor, Span<float> slot) => tensor.Span.CopyTo(slot);

    private static DateTimeOffset Deadline() => DateTimeOffset.UtcNow.AddMinutes(2);

    private Task<ResultCopy> Submit() =>
        ResultCopy.Of(_host.Engine.InferTensorAsync(ModelName, Zeros, InferenceRequestOptions.Default, _ct));
}
