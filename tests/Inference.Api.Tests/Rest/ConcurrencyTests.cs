using Inference.Api.Tests.Support;
using Inference.Contracts.Rest;

namespace Inference.Api.Tests.Rest;

[Collection(ServiceTests.Name)]
public sealed class ConcurrencyTests(ServiceFixture service)
{
    private const string Embed = $"/v1/models/{ServiceFactory.WideModel}/embed";
    private const string Classify = $"/v1/models/{ServiceFactory.WideModel}/classify";

    [Fact]
    public async Task Embed_ConcurrentDifferentImages_EachGetsItsOwnSingleRequestAnswer()
    {
        var images = Enumerable.Range(0, 12).Select(i => TestImages.Jpeg(100 + i)).ToArray();
        var singles = new List<IReadOnlyList<float>>();
        foreach (var image in images)
        {
            using var response = await service.Client.PostToAsync(Embed, Requests.Image(image));
            singles.Add((await response.ReadAsync<EmbedResponse>()).Embedding);
        }

        var concurrent = await Task.WhenAll(images.Select(async image =>
        {
            using var response = await service.Client.PostToAsync(Embed, Requests.Image(image));
            return (await response.ReadAsync<EmbedResponse>()).Embedding;
        }));

        for (var i = 0; i < images.Length; i++)
        {
            AssertClose(singles[i], concurrent[i]);
            var nearest = Enumerable.Range(0, images.Length).MinBy(j => Distance(singles[j], concurrent[i]));
            Assert.Equal(i, nearest);
        }
    }

    [Fact]
    public async Task Classify_ConcurrentDifferentImages_SameTopFiveAsSingleRequests()
    {
        var images = Enumerable.Range(0, 10).Select(i => TestImages.Png(200 + i)).ToArray();
        var singles = new List<ClassifyResponse>();
        foreach (var image in images)
        {
            using var response = await service.Client.PostToAsync(Classify, Requests.Image(image, "image/png"));
            singles.Add(await response.ReadAsync<ClassifyResponse>());
        }

        var concurrent = await Task.WhenAll(images.Select(async image =>
        {
            using var response = await service.Client.PostToAsync(Classify, Requests.Image(image, "image/png"));
            return await response.ReadAsync<ClassifyResponse>();
        }));

        for (var i = 0; i < images.Length; i++)
        {
            Assert.Equal(singles[i].Predictions.Select(p => p.Index), concurrent[i].Predictions.Select(p => p.Index));
            AssertClose(singles[i].Predictions.Select(p => p.Probability).ToList(), concurrent[i].Predictions.Select(p => p.Probability).ToList());
        }
    }

    private static double Distance(IReadOnlyList<float> a, IReadOnlyList<float> b) =>
        a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum();

    /// <summary>Batched and single runs may differ in the last bits (different kernel blocking), never more.</summary>
    private static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        var scale = expected.Max(v => Math.Abs(v));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale, $"element {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
