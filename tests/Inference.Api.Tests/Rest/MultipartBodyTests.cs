using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Inference.Api.Tests.Support;

namespace Inference.Api.Tests.Rest;

/// <summary>
/// Malformed, truncated and oversized multipart bodies, and requests with more images than the model can ever take:
/// each is a 400 problem+json that names the problem (truncated bodies once answered 500, a part with too many
/// header lines 413 "body exceeds ... bytes", a request over the queue 429 with Retry-After).
/// </summary>
[Collection(ServiceTests.Name)]
public sealed class MultipartBodyTests(ServiceFixture service)
{
    private const string Classify = $"/v1/models/{ServiceFactory.Model}/classify";
    private const string Part = "--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n";

    public static TheoryData<string, string> TruncatedBodies => new()
    {
        { "empty", "" },
        { "preamble only", "this is a preamble and nothing else\r\n" },
        { "headers then end", "--b\r\nContent-Disposition: form-data; name=\"image\"\r\n" },
        { "no closing boundary", Part + "PNGDATA" },
    };

    [Theory]
    [MemberData(nameof(TruncatedBodies))]
    public async Task Classify_TruncatedMultipart_Returns400NamingTheBody(string name, string body)
    {
        using var response = await service.Client.PostToAsync(Classify, Multipart(Encoding.ASCII.GetBytes(body)));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {response.StatusCode}");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "multipart");
    }

    [Fact]
    public async Task Classify_PartWithTooManyHeaderLines_Returns400NamingTheHeaderLimit()
    {
        var headers = string.Concat(Enumerable.Range(0, 20).Select(i => $"X-Header-{i}: {i}\r\n"));
        var body = $"--b\r\nContent-Disposition: form-data; name=\"image\"\r\n{headers}\r\nPNG\r\n--b--\r\n";

        using var response = await service.Client.PostToAsync(Classify, Multipart(Encoding.ASCII.GetBytes(body)));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "headers count limit");
        Assert.DoesNotContain("exceeds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_MoreImagesThanTheModelsQueue_Returns400NamingTheLimit()
    {
        using var content = new MultipartFormDataContent();
        for (var i = 0; i < 4; i++)
        {
            var part = new ByteArrayContent(TestImages.Jpeg(60 + i));
            part.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            content.Add(part, "image", $"{i}.jpg");
        }

        using var response = await service.Client.PostToAsync(Classify, content);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "at most 3 images");
        Assert.Null(response.Headers.RetryAfter);
    }

    private static ByteArrayContent Multipart(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        return content;
    }
}
