using System.Globalization;
using Grpc.Net.Client;
using Inference.Api.Tests.Grpc.RealService;
using Inference.Api.Tests.Support;
using Inference.Contracts.OpenInference;
using Inference.Engine.Postprocessing;

namespace Inference.Api.Tests.OpenInference.RealService;

/// <summary>
/// Triton's classification extension on the real ResNet-18: BYTES "value:index:label" of shape [N,k], where the
/// value is the requested output's own value (a logit for the logits, a probability for probabilities).
/// </summary>
[Collection(ServiceTests.Name)]
public sealed class OipClassificationRealServiceTests(ServiceFixture service) : IDisposable
{
    private readonly GrpcChannel _channel = RealServiceGrpc.Channel(service.Factory);

    private GRPCInferenceService.GRPCInferenceServiceClient Client => new(_channel);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _channel.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    public async Task ModelInfer_ProbabilitiesClassification_IsTopKOfTheSoftmaxOfEachImagesLogits(int k)
    {
        byte[][] images = [TestImages.Jpeg(700), TestImages.Jpeg(701)];

        var response = await Client.ModelInferAsync(
            RealOip.Images(ServiceFactory.Model, images).WithOutput("logits").WithOutput("probabilities", classification: k), cancellationToken: Ct);

        var classes = response.Outputs[1];
        Assert.Equal(("probabilities", "BYTES"), (classes.Name, classes.Datatype));
        Assert.Equal([2L, k], classes.Shape);
        var logits = OipRequests.Floats(response.RawOutputContents[0]);
        var strings = OipRequests.Strings(response.RawOutputContents[1].Span);
        for (var i = 0; i < images.Length; i++)
        {
            var probabilities = new float[1000];
            Classification.Softmax(logits.AsSpan(i * 1000, 1000), probabilities);
            Assert.Equal(TopK(probabilities, k), strings.Skip(i * k).Take(k));
            Assert.All(strings.Skip(i * k).Take(k), s => Assert.InRange(double.Parse(s.Split(':')[0], CultureInfo.InvariantCulture), 0, 1));
        }
    }

    [Fact]
    public async Task ModelInfer_LogitsClassification_CarriesLogitValuesInTheSameOrder()
    {
        var image = TestImages.Jpeg(710);

        var raw = await Client.ModelInferAsync(RealOip.Images(ServiceFactory.Model, image).WithOutput("logits"), cancellationToken: Ct);
        var classified = await Client.ModelInferAsync(
            RealOip.Images(ServiceFactory.Model, image).WithOutput("probabilities").WithOutput("logits", classification: 5), cancellationToken: Ct);

        var logits = OipRequests.Floats(raw.RawOutputContents[0]);
        var probabilities = new float[1000];
        Classification.Softmax(logits, probabilities);
        Assert.Equal(probabilities, OipRequests.Floats(classified.RawOutputContents[0]));
        Assert.Equal([1L, 5], classified.Outputs[1].Shape);
        var strings = OipRequests.Strings(classified.RawOutputContents[1].Span);
        Assert.Equal(TopK(logits, 5), strings);
        Assert.Equal(TopK(probabilities, 5).Select(Index), strings.Select(Index));
        Assert.Contains(strings, s => double.Parse(s.Split(':')[0], CultureInfo.InvariantCulture) is < 0 or > 1);
    }

    [Fact]
    public async Task ModelInfer_ClassificationOverTheClassCount_ReturnsEveryClassOnce()
    {
        var response = await Client.ModelInferAsync(
            RealOip.Images(ServiceFactory.Model, TestImages.Png(720)).WithOutput("logits", classification: 5000), cancellationToken: Ct);

        Assert.Equal([1L, 1000], response.Outputs[0].Shape);
        var strings = OipRequests.Strings(response.RawOutputContents[0].Span);
        Assert.Equal(Enumerable.Range(0, 1000), strings.Select(Index).Order());
        Assert.All(strings, s => Assert.EndsWith($":class {Index(s)}", s, StringComparison.Ordinal));
    }

    /// <summary>"value:index:label" of the k largest values, largest first, lower index first on ties, six decimals.</summary>
    private static IEnumerable<string> TopK(float[] values, int k) =>
        values.Select((value, index) => (value, index))
            .OrderByDescending(p => p.value).ThenBy(p => p.index).Take(k)
            .Select(p => $"{p.value.ToString("F6", CultureInfo.InvariantCulture)}:{p.index}:class {p.index}");

    private static int Index(string classification) => int.Parse(classification.Split(':')[1], CultureInfo.InvariantCulture);
}
