using System.Net;
using System.Net.Http.Headers;
using Inference.Api.Tests.Support;

namespace Inference.Api.Tests.Rest;

/// <summary>Every client mistake gets a 4xx problem+json that names the problem; none gets a 500.</summary>
[Collection(ServiceTests.Name)]
public sealed class ErrorStatusTests(ServiceFixture service)
{
    private const string Classify = $"/v1/models/{ServiceFactory.Model}/classify";
    private const string Embed = $"/v1/models/{ServiceFactory.Model}/embed";

    [Theory]
    [InlineData(Classify)]
    [InlineData(Embed)]
    public async Task Post_EmptyBody_Returns400(string path)
    {
        using var response = await service.Client.PostToAsync(path, Requests.Image([]));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "empty");
    }

    [Fact]
    public async Task Classify_Undecodable_Returns400()
    {
        using var response = await service.Client.PostToAsync(Classify, Requests.Image("this is not an image at all"u8.ToArray()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Classify_TruncatedJpeg_Returns400()
    {
        var jpeg = TestImages.Jpeg(30);

        using var response = await service.Client.PostToAsync(Classify, Requests.Image(jpeg[..(jpeg.Length / 3)]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("-3")]
    [InlineData("abc")]
    [InlineData("2.5")]
    public async Task Classify_BadTopK_Returns400NamingTopK(string topK)
    {
        using var response = await service.Client.PostToAsync($"{Classify}?top_k={topK}", Requests.Image(TestImages.Jpeg(31)));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "top_k");
    }

    [Fact]
    public async Task Embed_BadNormalize_Returns400()
    {
        using var response = await service.Client.PostToAsync($"{Embed}?normalize=maybe", Requests.Image(TestImages.Jpeg(32)));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "normalize");
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0")]
    public async Task Classify_BadRequestTimeout_Returns400(string timeout)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Classify) { Content = Requests.Image(TestImages.Jpeg(33)) };
        request.Headers.TryAddWithoutValidation("Request-Timeout", timeout);

        using var response = await service.Client.SendAsync(request, TestContext.Current.CancellationToken);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "Request-Timeout");
    }

    [Fact]
    public async Task Classify_MultipartWithoutImagePart_Returns400()
    {
        using var content = new MultipartFormDataContent { { new StringContent("hello"), "note" } };

        using var response = await service.Client.PostToAsync(Classify, content);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "'image'");
    }

    [Theory]
    [InlineData("/v1/models/nope/classify")]
    [InlineData("/v1/models/nope/embed")]
    public async Task Post_UnknownModel_Returns404(string path)
    {
        using var response = await service.Client.PostToAsync(path, Requests.Image(TestImages.Jpeg(34)));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "nope");
    }

    [Fact]
    public async Task Classify_OverSizeLimit_Returns413()
    {
        using var response = await service.Client.PostToAsync(Classify, Requests.Image(new byte[ServiceFactory.MaxImageBytes + 1]));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "limit");
    }

    [Fact]
    public async Task Classify_OverSizeLimitWithoutContentLength_Returns413()
    {
        var content = new StreamContent(new MemoryStream(new byte[ServiceFactory.MaxImageBytes + 4096]));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var request = new HttpRequestMessage(HttpMethod.Post, Classify) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await service.Client.SendAsync(request, TestContext.Current.CancellationToken);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "limit");
    }

    /// <summary>Pixel and dimension limits are 400 like any other undecodable image (413 is the body's byte limit only).</summary>
    [Fact]
    public async Task Classify_ImageOverTheDimensionLimit_Returns400NamingTheLimit()
    {
        var wide = Grpc.TestHost.TestImages.Png(37, width: 16_385, height: 1);

        using var response = await service.Client.PostToAsync(Classify, Requests.Image(wide, "image/png"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "16384");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    public async Task Classify_UnsupportedMediaType_Returns415(string mediaType)
    {
        using var response = await service.Client.PostToAsync(Classify, Requests.Image(TestImages.Jpeg(35), mediaType));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, mediaType);
    }

    [Fact]
    public async Task Classify_NoContentType_Returns415()
    {
        using var response = await service.Client.PostToAsync(Classify, new ByteArrayContent(TestImages.Jpeg(36)));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }
}
