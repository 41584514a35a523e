using System.Net;
using Inference.Api.Tests.Support;
using Inference.Contracts.Rest;
using Inference.Engine.Inference;
using Inference.Engine.Postprocessing;
using Inference.Preprocessing;
using Inference.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.Rest;

/// <summary>TIFF is served (ImageSharp decodes it under the default <c>auto</c> decoder), as image/tiff and sniffed from octet-stream.</summary>
[Collection(ServiceTests.Name)]
public sealed class TiffTests(ServiceFixture service)
{
    [Theory]
    [InlineData("image/tiff")]
    [InlineData("application/octet-stream")]
    public async Task Classify_Tiff_ProbabilitiesOfItsImageSharpTensor(string mediaType)
    {
        var ct = TestContext.Current.CancellationToken;
        var tiff = await File.ReadAllBytesAsync(
            Path.Combine(SharedData.RepositoryRoot, "tests", "Preprocessing.Tests", "Data", "rgb_lzw.tif"), ct);

        using var response = await service.Client.PostToAsync($"/v1/models/{ServiceFactory.Model}/classify?top_k=1000", Requests.Image(tiff, mediaType));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var served = (await response.ReadAsync<ClassifyResponse>()).Predictions.OrderBy(p => p.Index).Select(p => p.Probability).ToArray();
        var chw = new float[PreprocessingSpec.ImageNet.TensorLength];
        new ImagePreprocessor(ImageLimits.Default, ImageDecoderKind.ImageSharp).Preprocess(tiff, PreprocessingSpec.ImageNet, chw);
        var engine = service.Factory.Services.GetRequiredService<IInferenceEngine>();
        using var fromTensor = await engine.InferTensorAsync(ServiceFactory.Model, chw, InferenceRequestOptions.Default, ct);
        var expected = new float[fromTensor.Logits.Length];
        Classification.Softmax(fromTensor.Logits, expected);
        Assert.Equal(expected.Length, served.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], served[i], 1e-6f);
        }
    }

    [Fact]
    public async Task Classify_TruncatedTiff_BadRequestNamingTheFormat()
    {
        var tiff = await File.ReadAllBytesAsync(
            Path.Combine(SharedData.RepositoryRoot, "tests", "Preprocessing.Tests", "Data", "rgb_raw.tif"), TestContext.Current.CancellationToken);

        using var response = await service.Client.PostToAsync(
            $"/v1/models/{ServiceFactory.Model}/classify", Requests.Image(tiff[..(tiff.Length / 2)], "image/tiff"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("tiff", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
