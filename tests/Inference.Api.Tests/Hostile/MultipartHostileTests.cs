using System.Net;
using System.Text;
using Inference.Api.Tests.Support;

namespace Inference.Api.Tests.Hostile;

/// <summary>Malformed, truncated and oversized multipart/form-data bodies for REST classify and embed.</summary>
[Collection(HostileCollection.Name)]
[TestCaseOrderer(typeof(GroupCheckLastOrderer))]
public sealed class MultipartHostileTests(HostileService service) : HostileGroup(service)
{
    private const string Boundary = "HostileBoundary7MA4YWxkTrZu0gW";
    private const string FormData = $"multipart/form-data; boundary={Boundary}";

    private static readonly byte[] Jpeg = TestImages.Jpeg(8101, 64, 48);

    private static readonly IReadOnlyDictionary<string, MultipartCase> Cases = Build().ToDictionary(static c => c.Name, StringComparer.Ordinal);

    public static TheoryData<string, string> Names => [.. Cases.Keys.SelectMany(static n => new[] { ("classify", n), ("embed", n) })];

    private sealed record MultipartCase(string Name, string ContentType, byte[] Body, HttpStatusCode Status, string? Keyword);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Post_HostileMultipart_AnswersTheRightStatusNamingIt(string endpoint, string name)
    {
        var c = Cases[name];
        var content = new ByteArrayContent(c.Body);
        Assert.True(content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType));

        using var response = await Service.Client.PostToAsync($"/v1/models/{ServiceFactory.WideModel}/{endpoint}", content);

        await HostileAssert.RestAsync(response, c.Status, c.Keyword);
        await Service.AssertReadyAndIdleAsync();
    }

    [Fact]
    public Task Multipart_AfterAllCases_ServiceStillServes() => Service.AssertStillServingAsync();

    private static IEnumerable<MultipartCase> Build()
    {
        var bad = HostileImages.Random(5, 512);
        var bomb = HostileImages.All["png-bomb-100000x100000"].Bytes;
        byte[] Body(params byte[][] parts) => [.. parts.SelectMany(static p => p), .. Ascii($"--{Boundary}--\r\n")];

        yield return new("empty-body", FormData, [], HttpStatusCode.BadRequest, "multipart");
        yield return new("preamble-only", FormData, Ascii("This is the preamble and nothing else.\r\n"), HttpStatusCode.BadRequest, "multipart");
        yield return new("boundary-line-then-EOF", FormData, Ascii($"--{Boundary}\r\n"), HttpStatusCode.BadRequest, "multipart");
        yield return new("headers-then-EOF", FormData, Ascii($"--{Boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n\r\n"), HttpStatusCode.BadRequest, "multipart");
        yield return new("half-a-header-then-EOF", FormData, Ascii($"--{Boundary}\r\nContent-Dispos"), HttpStatusCode.BadRequest, "multipart");
        yield return new("no-closing-boundary", FormData, Part("image", Jpeg), HttpStatusCode.BadRequest, "multipart");
        yield return new("image-cut-mid-part", FormData, Part("image", Jpeg)[..(Jpeg.Length / 2)], HttpStatusCode.BadRequest, "multipart");
        yield return new("closing-boundary-only", FormData, Ascii($"--{Boundary}--\r\n"), HttpStatusCode.BadRequest, "image");
        yield return new("boundary-parameter-missing", "multipart/form-data", Body(Part("image", Jpeg)), HttpStatusCode.BadRequest, "boundary");
        yield return new("boundary-parameter-empty", "multipart/form-data; boundary=\"\"", Body(Part("image", Jpeg)), HttpStatusCode.BadRequest, "boundary");
        var longBoundary = new string('b', 200);

        // RFC 2046 caps a boundary at 70 characters; ASP.NET Core's reader tolerates longer ones, which is harmless.
        yield return new("boundary-of-200-chars-tolerated", $"multipart/form-data; boundary={longBoundary}",
            Ascii($"--{longBoundary}\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\n").Concat(Jpeg).Concat(Ascii($"\r\n--{longBoundary}--\r\n")).ToArray(),
            HttpStatusCode.OK, null);
        yield return new("boundary-not-in-body", "multipart/form-data; boundary=SomethingElse", Body(Part("image", Jpeg)), HttpStatusCode.BadRequest, "multipart");
        yield return new("part-named-file", FormData, Body(Part("file", Jpeg)), HttpStatusCode.BadRequest, "image");
        yield return new("part-without-content-disposition", FormData, Body([.. Ascii($"--{Boundary}\r\nContent-Type: image/jpeg\r\n\r\n"), .. Jpeg, .. "\r\n"u8]), HttpStatusCode.BadRequest, "image");
        yield return new("part-with-unterminated-name-quote", FormData, Body(Part("\"image", Jpeg, quote: false)), HttpStatusCode.BadRequest, "image");
        yield return new("part-with-18-header-lines", FormData, Body(Part("image", Jpeg, extraHeaders: 16)), HttpStatusCode.BadRequest, "header");
        yield return new("part-with-a-20000-char-header", FormData, Body(Part("image", Jpeg, longHeader: 20_000)), HttpStatusCode.BadRequest, "header");
        yield return new("65-image-parts", FormData, Body([.. Enumerable.Repeat(Part("image", Jpeg), 65)]), HostileExpectations.TooManyParts, "64");
        yield return new("bad-image-in-part-3-of-5", FormData, Body(Part("image", Jpeg), Part("image", Jpeg), Part("image", bad), Part("image", Jpeg), Part("image", Jpeg)),
            HttpStatusCode.BadRequest, "part 3");
        yield return new("empty-image-in-part-2-of-2", FormData, Body(Part("image", Jpeg), Part("image", [])), HttpStatusCode.BadRequest, "part 2");
        yield return new("bomb-in-part-2-of-3", FormData, Body(Part("image", Jpeg), Part("image", bomb), Part("image", Jpeg)), HostileExpectations.PixelLimit, "part 2");
        yield return new("parts-over-MaxImageBytes-in-total", FormData, Body([.. Enumerable.Repeat(Part("image", new byte[(ServiceFactory.MaxImageBytes / 4) + 1000]), 4)]), HttpStatusCode.RequestEntityTooLarge, "limit");
        yield return new("epilogue-after-closing-boundary", FormData, [.. Body(Part("image", Jpeg)), .. Ascii("epilogue text, ignored\r\n")], HttpStatusCode.OK, null);
        yield return new("text-field-beside-image", FormData, Body(Part("note", Ascii("hello")), Part("image", Jpeg)), HttpStatusCode.OK, null);
    }

    private static byte[] Part(string name, byte[] data, bool quote = true, int extraHeaders = 0, int longHeader = 0)
    {
        var headers = new StringBuilder($"--{Boundary}\r\n");
        headers.Append(quote ? $"Content-Disposition: form-data; name=\"{name}\"; filename=\"x.jpg\"\r\n" : $"Content-Disposition: form-data; name={name}\r\n");
        headers.Append("Content-Type: image/jpeg\r\n");
        for (var i = 0; i < extraHeaders; i++)
        {
            headers.Append($"X-Extra-{i}: {i}\r\n");
        }

        if (longHeader > 0)
        {
            headers.Append($"X-Long: {new string('x', longHeader)}\r\n");
        }

        return [.. Ascii(headers.Append("\r\n").ToString()), .. data, .. "\r\n"u8];
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
