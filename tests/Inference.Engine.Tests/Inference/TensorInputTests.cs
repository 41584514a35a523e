using Inference.Engine.Inference;
using Inference.Engine.Tests.Support;
using Inference.Preprocessing;

namespace Inference.Engine.Tests.Inference;

[Collection(EngineCollection.Name)]
public sealed class TensorInputTests(EngineFixture fixture)
{
    [Fact]
    public async Task InferTensorAsync_PreprocessedImage_EqualsInferImageAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var engine = fixture.Host.Engine;
        var model = fixture.Host.Manager.Find(EngineFixture.ModelName)!;
        var jpeg = TestImages.Jpeg(300);
        var chw = new float[model.Preprocessing.TensorLength];
        new ImagePreprocessor().Preprocess(jpeg, model.Preprocessing, chw);

        var fromImage = await ResultCopy.Of(engine.InferImageAsync(EngineFixture.ModelName, jpeg, InferenceRequestOptions.Default, ct));
        var fromTensor = await ResultCopy.Of(engine.InferTensorAsync(EngineFixture.ModelName, chw, InferenceRequestOptions.Default, ct));

        FloatAssert.Close(fromImage.Logits, fromTensor.Logits, 1e-6, "logits");
        FloatAssert.Close(fromImage.Embedding, fromTensor.Embedding, 1e-6, "embedding");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3 * 224 * 224 - 1)]
    [InlineData(3 * 224 * 224 + 1)]
    [InlineData(3 * 256 * 256)]
    public async Task InferTensorAsync_WrongLength_ThrowsInvalidInputNamingSizes(int length)
    {
        var error = await Assert.ThrowsAsync<InferenceException>(async () => await fixture.Host.Engine.InferTensorAsync(
            EngineFixture.ModelName, new float[length], InferenceRequestOptions.Default, TestContext.Current.CancellationToken));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.Contains("150528", error.Message, StringComparison.Ordinal);
        Assert.Contains($"got {length}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InferTensorAsync_LogitsOnly_EmbeddingNotCopied()
    {
        var options = new InferenceRequestOptions { Outputs = InferenceOutputs.Logits };

        var result = await ResultCopy.Of(fixture.Host.Engine.InferTensorAsync(
            EngineFixture.ModelName, new float[3 * 224 * 224], options, TestContext.Current.CancellationToken));

        Assert.Equal(1000, result.Logits.Length);
        Assert.Empty(result.Embedding);
    }

    [Fact]
    public async Task InferTensorAsync_TokenAlreadyCancelled_ThrowsCancelledAndReturnsSlot()
    {
        var serving = fixture.Host.Manager.GetServing(EngineFixture.ModelName);
        var before = SlotCounter.Free(serving);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await fixture.Host.Engine.InferTensorAsync(
            EngineFixture.ModelName, new float[3 * 224 * 224], InferenceRequestOptions.Default, cancellation.Token));

        await Eventually.True(() => serving.QueueDepth == 0 && SlotCounter.Free(serving) == before, "the cancelled request's slot to come back");
    }

    [Fact]
    public async Task InferImageAsync_CorruptImage_ThrowsImageProcessingExceptionAndKeepsSlots()
    {
        var serving = fixture.Host.Manager.GetServing(EngineFixture.ModelName);
        // The fixture's earlier requests hand their slots back just after their callers resume: wait for that first.
        for (var i = 0; i < 500 && SlotCounter.Free(serving) != serving.SlotCount; i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal(serving.SlotCount, SlotCounter.Free(serving));

        await Assert.ThrowsAsync<ImageProcessingException>(async () => await fixture.Host.Engine.InferImageAsync(
            EngineFixture.ModelName, new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3 }, InferenceRequestOptions.Default, TestContext.Current.CancellationToken));

        Assert.Equal(serving.SlotCount, SlotCounter.Free(serving));
    }

    [Fact]
    public async Task InferTensorAsync_FillThrows_PassesItThroughAndReturnsTheSlot()
    {
        var serving = fixture.Host.Manager.GetServing(EngineFixture.ModelName);
        await Eventually.True(() => SlotCounter.Free(serving) == serving.SlotCount, "the fixture's earlier slots to come back");
        var bad = new InferenceException(InferenceErrorCode.InvalidInput, "bad value");

        var error = await Assert.ThrowsAsync<InferenceException>(async () => await fixture.Host.Engine.InferTensorAsync(
            EngineFixture.ModelName, 3 * 224 * 224, bad, static (e, _) => throw e, InferenceRequestOptions.Default, TestContext.Current.CancellationToken));

        Assert.Same(bad, error);
        Assert.Equal(serving.SlotCount, SlotCounter.Free(serving));
    }

    [Fact]
    public async Task InferTensorAsync_FillWritesTheSlot_EqualsTheCopiedTensorAndFillsOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var chw = new float[3 * 224 * 224];
        new ImagePreprocessor().Preprocess(TestImages.Jpeg(200), fixture.Host.Manager.Find(EngineFixture.ModelName)!.Preprocessing, chw);
        var calls = new int[1];

        var copied = await ResultCopy.Of(fixture.Host.Engine.InferTensorAsync(EngineFixture.ModelName, chw, InferenceRequestOptions.Default, ct));
        var filled = await ResultCopy.Of(fixture.Host.Engine.InferTensorAsync(
            EngineFixture.ModelName,
            chw.Length,
            (chw, calls),
            static (state, slot) =>
            {
                state.calls[0]++;
                state.chw.CopyTo(slot);
            },
            InferenceRequestOptions.Default,
            ct));

        Assert.Equal(1, calls[0]);
        FloatAssert.Close(copied.Logits, filled.Logits, 1e-6, "logits");
    }

    [Fact]
    public async Task InferTensorAsync_WrongLengthWithFill_ThrowsInvalidInputAndNeverFills()
    {
        var filled = false;

        var error = await Assert.ThrowsAsync<InferenceException>(async () => await fixture.Host.Engine.InferTensorAsync(
            EngineFixture.ModelName, 10, 0, (_, _) => filled = true, InferenceRequestOptions.Default, TestContext.Current.CancellationToken));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.Contains("got 10", error.Message, StringComparison.Ordinal);
        Assert.False(filled);
    }
}
