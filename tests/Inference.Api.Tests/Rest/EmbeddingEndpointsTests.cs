using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using Inference.Api.Tests.Support;
using Inference.Contracts.Rest;

namespace Inference.Api.Tests.Rest;

[Collection(ServiceTests.Name)]
public sealed class EmbeddingEndpointsTests(ServiceFixture service)
{
    private const string Path = $"/v1/models/{ServiceFactory.Model}/embed";

    [Fact]
    public async Task Embed_Jpeg_Returns512FiniteFloats()
    {
        using var response = await service.Client.PostToAsync(Path, Requests.Image(TestImages.Jpeg(20)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadAsync<EmbedResponse>();
        Assert.Equal(ServiceFactory.Model, body.Model);
        Assert.Equal(512, body.Dimension);
        Assert.Equal(512, body.Embedding.Count);
        Assert.All(body.Embedding, v => Assert.True(float.IsFinite(v)));
        Assert.True(body.Embedding.Distinct().Count() > 100, "the embedding should vary across its 512 features");
    }

    [Fact]
    public async Task Embed_Normalize_ReturnsUnitVectorParallelToRaw()
    {
        var image = TestImages.Jpeg(21);
        using var rawResponse = await service.Client.PostToAsync(Path, Requests.Image(image));
        using var unitResponse = await service.Client.PostToAsync(Path + "?normalize=true", Requests.Image(image));

        var raw = (await rawResponse.ReadAsync<EmbedResponse>()).Embedding;
        var unit = (await unitResponse.ReadAsync<EmbedResponse>()).Embedding;
        var norm = Math.Sqrt(raw.Sum(v => (double)v * v));
        Assert.Equal(1.0, Math.Sqrt(unit.Sum(v => (double)v * v)), 4);
        for (var i = 0; i < raw.Count; i++)
        {
            Assert.Equal(raw[i] / norm, unit[i], 5);
        }
    }

    [Fact]
    public async Task Embed_AcceptOctetStream_ReturnsLittleEndianFloat32EqualToJson()
    {
        var image = TestImages.Jpeg(22);
        using var jsonResponse = await service.Client.PostToAsync(Path, Requests.Image(image));
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = Requests.Image(image) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/octet-stream"));

        using var binaryResponse = await service.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("application/octet-stream", binaryResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal("512", binaryResponse.Headers.GetValues("Embedding-Dimension").Single());
        var bytes = await binaryResponse.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal(512 * sizeof(float), bytes.Length);
        var floats = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        Assert.Equal((await jsonResponse.ReadAsync<EmbedResponse>()).Embedding, floats);
    }

    [Fact]
    public async Task Embed_Multipart_ReturnsOneEmbeddingPerPart()
    {
        using var response = await service.Client.PostToAsync(Path, Requests.Multipart(TestImages.Jpeg(23), TestImages.Jpeg(24)));

        var body = await response.ReadAsync<EmbedBatchResponse>();
        Assert.Equal(512, body.Dimension);
        Assert.Equal(2, body.Results.Count);
        Assert.NotEqual(body.Results[0].Embedding, body.Results[1].Embedding);
    }
}
