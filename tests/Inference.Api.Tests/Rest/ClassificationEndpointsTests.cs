using System.Net;
using Inference.Api.Tests.Support;
using Inference.Contracts.Rest;

namespace Inference.Api.Tests.Rest;

[Collection(ServiceTests.Name)]
public sealed class ClassificationEndpointsTests(ServiceFixture service)
{
    private const string Path = $"/v1/models/{ServiceFactory.Model}/classify";

    [Fact]
    public async Task Classify_Jpeg_ReturnsFivePredictionsInDescendingProbability()
    {
        using var response = await service.Client.PostToAsync(Path, Requests.Image(TestImages.Jpeg(1)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadAsync<ClassifyResponse>();
        Assert.Equal(ServiceFactory.Model, body.Model);
        Assert.Equal("1", body.Version);
        Assert.Equal(5, body.Predictions.Count);
        Assert.Equal(body.Predictions.OrderByDescending(p => p.Probability).ToList(), body.Predictions);
        Assert.All(body.Predictions, p =>
        {
            Assert.InRange(p.Probability, float.Epsilon, 1f);
            Assert.Equal($"class {p.Index}", p.Label);
        });
        Assert.Equal(5, body.Predictions.Select(p => p.Index).Distinct().Count());
    }

    [Fact]
    public async Task Classify_TopK_ReturnsThatManyAndSamePrefix()
    {
        var image = TestImages.Jpeg(2);
        using var five = await service.Client.PostToAsync(Path, Requests.Image(image));
        using var two = await service.Client.PostToAsync(Path + "?top_k=2", Requests.Image(image));

        var fivePredictions = (await five.ReadAsync<ClassifyResponse>()).Predictions;
        var twoPredictions = (await two.ReadAsync<ClassifyResponse>()).Predictions;
        Assert.Equal(2, twoPredictions.Count);
        Assert.Equal(fivePredictions.Take(2).Select(p => p.Index), twoPredictions.Select(p => p.Index));
    }

    /// <summary>The one top_k rule of every protocol: 0 is the default (5), more than the class count is clamped.</summary>
    [Theory]
    [InlineData("0", 5)]
    [InlineData("1001", 1000)]
    [InlineData("5000", 1000)]
    public async Task Classify_TopKZeroOrOverTheClassCount_IsTheDefaultOrClamped(string topK, int expected)
    {
        using var response = await service.Client.PostToAsync($"{Path}?top_k={topK}", Requests.Image(TestImages.Png(4), "image/png"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var predictions = (await response.ReadAsync<ClassifyResponse>()).Predictions;
        Assert.Equal(expected, predictions.Count);
        Assert.Equal(expected, predictions.Select(p => p.Index).Distinct().Count());
    }

    [Fact]
    public async Task Classify_AllClasses_ProbabilitiesSumToOne()
    {
        using var response = await service.Client.PostToAsync(Path + "?top_k=1000", Requests.Image(TestImages.Png(3), "image/png"));

        var predictions = (await response.ReadAsync<ClassifyResponse>()).Predictions;
        Assert.Equal(1000, predictions.Count);
        Assert.Equal(1.0, predictions.Sum(p => (double)p.Probability), 3);
    }

    [Fact]
    public async Task Classify_Multipart_ReturnsOneResultPerPartInPartOrder()
    {
        byte[][] images = [TestImages.Jpeg(10), TestImages.Jpeg(11), TestImages.Jpeg(12)];
        var singles = new List<ClassifyResponse>();
        foreach (var image in images)
        {
            using var single = await service.Client.PostToAsync(Path, Requests.Image(image));
            singles.Add(await single.ReadAsync<ClassifyResponse>());
        }

        using var response = await service.Client.PostToAsync(Path, Requests.Multipart(images));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadAsync<ClassifyBatchResponse>();
        Assert.Equal(3, body.Results.Count);
        for (var i = 0; i < images.Length; i++)
        {
            Assert.Equal(singles[i].Predictions.Select(p => p.Index), body.Results[i].Predictions.Select(p => p.Index));
            Assert.Equal(singles[i].Predictions[0].Probability, body.Results[i].Predictions[0].Probability, 1e-5f);
        }
    }

    [Fact]
    public async Task Classify_DemoWeights_SaysPredictionsAreMeaningless()
    {
        using var response = await service.Client.PostToAsync(Path, Requests.Image(TestImages.Jpeg(4)));

        Assert.Contains("demo", string.Join(",", response.Headers.GetValues("Model-Weights")), StringComparison.Ordinal);
    }
}
