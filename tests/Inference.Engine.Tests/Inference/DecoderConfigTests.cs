using Inference.Engine.Inference;
using Inference.Engine.Tests.Support;
using Inference.Preprocessing;
using Inference.TestSupport;

namespace Inference.Engine.Tests.Inference;

/// <summary>config.json's <c>"decoder"</c> reaches the model's preprocessing: a TIFF is refused by a Skia-only model and served by an ImageSharp one.</summary>
public sealed class DecoderConfigTests
{
    [Fact]
    public async Task InferImageAsync_TiffPerModelDecoder_SkiaRefusesImageSharpServes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repository = new TempDirectory();
        TestRepository.AddDemoModel(repository, "pinned", extraConfig: "\"maxBatchSize\": 1, \"decoder\": \"skia\"");
        TestRepository.AddDemoModel(repository, "managed", extraConfig: "\"maxBatchSize\": 1, \"decoder\": \"imagesharp\"");
        var tiff = await File.ReadAllBytesAsync(Path.Combine(SharedData.RepositoryRoot, "tests", "Preprocessing.Tests", "Data", "rgb_lzw.tif"), ct);
        await using var host = TestEngine.Create(repository.Root, SharedDemoWeights.CacheDirectory, ["pinned", "managed"]);
        Assert.Empty(await host.LoadAllAsync());

        Assert.Equal(ImageDecoderKind.Skia, host.Manager.Find("pinned")!.Preprocessing.Decoder);
        Assert.Equal(ImageDecoderKind.ImageSharp, host.Manager.Find("managed")!.Preprocessing.Decoder);
        var error = await Assert.ThrowsAsync<ImageProcessingException>(
            async () => await host.Engine.InferImageAsync("pinned", tiff, InferenceRequestOptions.Default, ct));
        Assert.Equal(ImageErrorCode.UnsupportedFormat, error.Code);
        using var result = await host.Engine.InferImageAsync("managed", tiff, InferenceRequestOptions.Default, ct);
        Assert.Equal(1000, result.Logits.Length);
    }
}
