using System.Net;
using Inference.Api.Tests.Support;

namespace Inference.Api.Tests.Hostile;

/// <summary>A valid image with hostile query parameters, Request-Timeout headers, content types and model names.</summary>
[Collection(HostileCollection.Name)]
[TestCaseOrderer(typeof(GroupCheckLastOrderer))]
public sealed class RestParameterHostileTests(HostileService service) : HostileGroup(service)
{
    private const string NoContentType = "(none)";

    private static readonly byte[] Image = TestImages.Jpeg(8001, 64, 48);

    private static readonly IReadOnlyDictionary<string, ParameterCase> Cases = Build().ToDictionary(static c => c.Name, StringComparer.Ordinal);

    public static TheoryData<string> Names => [.. Cases.Keys];

    /// <param name="KestrelRefusal">Refused by Kestrel's own limits before the application runs, so without a problem body.</param>
    private sealed record ParameterCase(
        string Name, string Endpoint, string Model, string Query, string ContentType, string? Timeout, HttpStatusCode Status, string? Keyword,
        bool KestrelRefusal = false);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Post_HostileParameter_AnswersTheRightStatusNamingIt(string name)
    {
        var c = Cases[name];
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/models/{c.Model}/{c.Endpoint}{c.Query}", UriKind.Relative))
        {
            Content = new ByteArrayContent(Image),
        };
        if (c.ContentType != NoContentType)
        {
            Assert.True(request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType));
        }

        if (c.Timeout is not null)
        {
            Assert.True(request.Headers.TryAddWithoutValidation("Request-Timeout", c.Timeout));
        }

        using var response = await Service.Client.SendAsync(request, TestContext.Current.CancellationToken);

        if (c.KestrelRefusal)
        {
            Assert.Equal(c.Status, response.StatusCode);
        }
        else
        {
            await HostileAssert.RestAsync(response, c.Status, c.Keyword);
        }

        await Service.AssertReadyAndIdleAsync();
    }

    [Fact]
    public Task RestParameters_AfterAllCases_ServiceStillServes() => Service.AssertStillServingAsync();

    private static IEnumerable<ParameterCase> Build()
    {
        const string Model = ServiceFactory.Model;
        foreach (var topK in new[] { "-1", "99999999999999999999", "abc", "2.5", "", "%205", "5&top_k=6", "0x10", "1e2", "%EF%BC%95" })
        {
            yield return new($"classify-top_k={topK}", "classify", Model, $"?top_k={topK}", "image/jpeg", null, HttpStatusCode.BadRequest, "top_k");
        }

        yield return new("classify-top_k=1", "classify", Model, "?top_k=1", "image/jpeg", null, HttpStatusCode.OK, null);
        yield return new("classify-top_k=1000", "classify", Model, "?top_k=1000", "image/jpeg", null, HttpStatusCode.OK, null);
        yield return new("classify-top_k=2147483648-is-every-class", "classify", Model, "?top_k=2147483648", "image/jpeg", null, HttpStatusCode.OK, null);
        yield return new("classify-top_k=0-means-5", "classify", Model, "?top_k=0", "image/jpeg", null, HttpStatusCode.OK, null);
        yield return new("classify-top_k=1001-is-every-class", "classify", Model, "?top_k=1001", "image/jpeg", null, HttpStatusCode.OK, null);
        foreach (var normalize in new[] { "maybe", "1", "yes", "", "true&normalize=false" })
        {
            yield return new($"embed-normalize={normalize}", "embed", Model, $"?normalize={normalize}", "image/jpeg", null, HttpStatusCode.BadRequest, "normalize");
        }

        foreach (var endpoint in new[] { "classify", "embed" })
        {
            foreach (var mode in new[] { "x", "EXACT", "", "fast%20", "f%C3%A1st" })
            {
                yield return new($"{endpoint}-mode={mode}", endpoint, Model, $"?mode={mode}", "image/jpeg", null, HttpStatusCode.BadRequest, "mode");
            }

            yield return new($"{endpoint}-mode=fast", endpoint, Model, "?mode=fast", "image/jpeg", null, HttpStatusCode.OK, null);
            foreach (var timeout in new[] { "0", "-5", "abc", "3600001", "1.5", "99999999999999999999", "", "10, 20", "1e3" })
            {
                yield return new($"{endpoint}-Request-Timeout:'{timeout}'", endpoint, Model, "", "image/jpeg", timeout, HttpStatusCode.BadRequest, "Request-Timeout");
            }

            foreach (var type in new[]
            {
                NoContentType, "text/plain", "application/json", "image/svg+xml", "image/", "garbage", "multipart/mixed; boundary=x",
                "application/x-www-form-urlencoded", "image/jpeg2000",
            })
            {
                yield return new($"{endpoint}-Content-Type:'{type}'", endpoint, Model, "", type, null, HttpStatusCode.UnsupportedMediaType, "Content-Type");
            }

            foreach (var type in new[] { "image/jpeg; charset=utf-8", "IMAGE/JPEG", "image/png", "application/octet-stream" })
            {
                yield return new($"{endpoint}-Content-Type:'{type}'-of-a-jpeg", endpoint, Model, "", type, null, HttpStatusCode.OK, null);
            }

            foreach (var (label, model, keyword) in new (string, string, string)[]
            {
                ("unknown", "resnet9000", "resnet9000"),
                ("4000-chars", new string('m', 4000), "model"),
                ("path-traversal", "..%2F..%2Fetc%2Fpasswd", "model"),
                ("traversal-to-a-served-model", "..%2F" + Model, "model"),
                ("cyrillic", "%D0%BC%D0%BE%D0%B4%D0%B5%D0%BB%D1%8C", "model"),
                ("emoji", "%F0%9F%98%80", "model"),
                ("right-to-left-override", "%E2%80%AEtest18", "model"),
                ("trailing-space", Model + "%20", "model"),
                ("newline", Model + "%0Aforged%20log%20line", "model"),
                ("percent", "%25", "model"),
                ("file-name", "model.onnx", "model"),
            })
            {
                yield return new($"{endpoint}-model-{label}", endpoint, model, "", "image/jpeg", null, HttpStatusCode.NotFound, keyword);
            }

            // 10,000 characters do not fit Kestrel's request line (8 KB): Kestrel answers 414 itself.
            yield return new($"{endpoint}-model-10000-chars", endpoint, new string('m', 10_000), "", "image/jpeg", null, HttpStatusCode.RequestUriTooLong, null, KestrelRefusal: true);
        }
    }
}
