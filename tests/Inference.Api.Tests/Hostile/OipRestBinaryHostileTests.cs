using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Inference.Api.Tests.OpenInference;
using Inference.Api.Tests.Support;

namespace Inference.Api.Tests.Hostile;

/// <summary>
/// The OIP REST binary tensor extension and request parameters under attack: lying header and data sizes, bad
/// BYTES elements and images, batches beyond the model, bad output requests, and non-finite pixels (whose outputs
/// must still be answered, encoded as documented).
/// </summary>
[Collection(HostileCollection.Name)]
[TestCaseOrderer(typeof(GroupCheckLastOrderer))]
public sealed class OipRestBinaryHostileTests(HostileService service) : HostileGroup(service)
{
    private const int Pixels = 3 * 224 * 224;

    private static readonly byte[] Jpeg = TestImages.Jpeg(8201, 64, 48);

    private static readonly IReadOnlyDictionary<string, BinaryCase> Cases = Build().ToDictionary(static c => c.Name, StringComparer.Ordinal);

    public static TheoryData<string> Names => [.. Cases.Keys];

    /// <param name="HeaderLength">The Inference-Header-Content-Length value; null: the JSON's true length.</param>
    private sealed record BinaryCase(string Name, string Json, byte[] Binary, HttpStatusCode Status, string? Keyword, string? HeaderLength = null, string Model = ServiceFactory.Model);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Infer_HostileBinaryRequest_AnswersTheRightStatusNamingIt(string name)
    {
        var c = Cases[name];
        var json = Encoding.UTF8.GetBytes(c.Json);
        var content = new ByteArrayContent([.. json, .. c.Binary]);
        content.Headers.ContentType = new("application/octet-stream");
        content.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", c.HeaderLength ?? json.Length.ToString(CultureInfo.InvariantCulture));

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v2/models/{c.Model}/infer", UriKind.Relative)) { Content = content };

        // A body over the limit is answered 413 and the connection closed as soon as its Content-Length is seen; a
        // client still writing megabytes into that socket then fails with a broken pipe before it reads the answer,
        // depending on timing. Waiting for 100-continue (as a well-behaved client sending a large body does) makes
        // the answer arrive before the body is sent.
        request.Headers.ExpectContinue = c.Status == HttpStatusCode.RequestEntityTooLarge;
        using var response = await Service.Client.SendAsync(request, TestContext.Current.CancellationToken);

        await HostileAssert.OipRestAsync(response, c.Status, c.Keyword);
        if (c.Status == HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
            var headerLength = response.Headers.TryGetValues("Inference-Header-Content-Length", out var values) ? int.Parse(values.Single(), CultureInfo.InvariantCulture) : body.Length;
            Assert.Contains("\"outputs\"", Encoding.UTF8.GetString(body, 0, headerLength), StringComparison.Ordinal);
        }

        await Service.AssertReadyAndIdleAsync();
    }

    [Fact]
    public Task OipRestBinary_AfterAllCases_ServiceStillServes() => Service.AssertStillServingAsync();

    private static string Input(string datatype, string shape, string size, string name = "input") =>
        $"{{\"name\":\"{name}\",\"datatype\":\"{datatype}\",\"shape\":{shape},\"parameters\":{{\"binary_data_size\":{size}}}}}";

    private static string Request(string input, string outputs = "", string parameters = "") => $"{{\"inputs\":[{input}]{outputs}{parameters}}}";

    private static string Images(byte[] binary, int count) => Request(Input("BYTES", $"[{count}]", binary.Length.ToString(CultureInfo.InvariantCulture)));

    private static byte[] Floats(int images, Action<float[]>? change = null)
    {
        var values = new float[images * Pixels];
        change?.Invoke(values);
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    private static IEnumerable<BinaryCase> Build()
    {
        var jpeg = OipRequests.LengthPrefixed([Jpeg]);
        var jpegJson = Images(jpeg, 1);
        var tensor = Floats(1);
        var tensorJson = Request(Input("FP32", "[1,3,224,224]", tensor.Length.ToString(CultureInfo.InvariantCulture)));
        BinaryCase Bad(string name, string json, byte[] binary, string? keyword, string? headerLength = null) =>
            new(name, json, binary, HttpStatusCode.BadRequest, keyword, headerLength);

        foreach (var (label, length) in new[] { ("beyond-the-body", "100000000"), ("not-a-number", "abc"), ("negative", "-1"), ("int32-overflow", "99999999999"), ("blank", " ") })
        {
            yield return Bad($"header-length-{label}", jpegJson, jpeg, "Inference-Header-Content-Length", length);
        }

        yield return Bad("header-length-zero", jpegJson, jpeg, "JSON", "0");
        yield return Bad("header-length-cuts-the-json", jpegJson, jpeg, "JSON", (jpegJson.Length / 2).ToString(CultureInfo.InvariantCulture));
        yield return Bad("header-length-swallows-binary", jpegJson, jpeg, "JSON", (jpegJson.Length + 8).ToString(CultureInfo.InvariantCulture));
        yield return Bad("binary_data_size-beyond-the-data", Images(jpeg, 1).Replace($":{jpeg.Length}}}", $":{jpeg.Length + 1000}}}", StringComparison.Ordinal), jpeg, "binary_data_size");
        yield return Bad("binary_data_size-short-of-the-data", Images(jpeg, 1).Replace($":{jpeg.Length}}}", $":{jpeg.Length - 10}}}", StringComparison.Ordinal), jpeg, null);
        yield return Bad("binary_data_size-unclaimed-bytes", jpegJson, [.. jpeg, 1, 2, 3], "binary");
        yield return Bad("binary_data_size-a-string", Request(Input("BYTES", "[1]", "\"abc\"")), jpeg, "binary_data_size");
        yield return Bad("binary_data_size-negative", Request(Input("BYTES", "[1]", "-1")), jpeg, "binary_data_size");
        yield return Bad("binary_data_size-int64-max", Request(Input("BYTES", "[1]", "9223372036854775807")), jpeg, "binary_data_size");
        yield return Bad("binary_data_size-without-binary", jpegJson, [], "binary_data_size");

        yield return Bad("fp32-raw-not-whole-floats", Request(Input("FP32", "[1,3,224,224]", "602113")), [.. tensor, 0], "FP32");
        yield return Bad("fp32-raw-100-bytes", Request(Input("FP32", "[1,3,224,224]", "100")), tensor[..100], "shape");
        yield return Bad("fp32-shape-1000000000", Request(Input("FP32", "[1000000000,3,224,224]", "602112")), tensor, "shape");
        yield return Bad("fp32-shape-int64-max", Request(Input("FP32", "[9223372036854775807,3,224,224]", "602112")), tensor, "shape");
        yield return Bad("fp32-shape-negative", Request(Input("FP32", "[-1,3,224,224]", "602112")), tensor, "shape");
        yield return Bad("fp32-datatype-INT8-raw", Request(Input("INT8", "[1,3,224,224]", "602112")), tensor, "datatype");
        yield return Bad("fp32-datatype-UINT8-raw", Request(Input("UINT8", "[1,3,224,224]", "602112")), tensor, "datatype");

        yield return Bad("bytes-truncated-length-prefix", Request(Input("BYTES", "[1]", "2")), [7, 0], "BYTES");
        yield return Bad("bytes-element-claims-more-than-sent", Request(Input("BYTES", "[1]", "14")), [0xE8, 0x03, 0, 0, .. new byte[10]], "BYTES");
        yield return Bad("bytes-element-claims-4-gib", Request(Input("BYTES", "[1]", "14")), [0xFF, 0xFF, 0xFF, 0xFF, .. new byte[10]], "BYTES");
        yield return Bad("bytes-empty-element", Images([0, 0, 0, 0], 1), [0, 0, 0, 0], "empty");
        yield return Bad("bytes-corrupt-image", Images(OipRequests.LengthPrefixed([HostileImages.Random(9, 700)]), 1), OipRequests.LengthPrefixed([HostileImages.Random(9, 700)]), "image");
        var truncated = OipRequests.LengthPrefixed([Jpeg[..(Jpeg.Length / 2)]]);
        yield return Bad("bytes-truncated-jpeg", Images(truncated, 1), truncated, "image");
        var bomb = OipRequests.LengthPrefixed([HostileImages.All["png-bomb-100000x100000"].Bytes]);
        yield return new("bytes-png-bomb", Images(bomb, 1), bomb, HostileExpectations.OipPixelLimit, "limit");
        var badThird = OipRequests.LengthPrefixed([Jpeg, Jpeg, HostileImages.Random(11, 300), Jpeg]);
        yield return Bad("bytes-bad-image-3-of-4", Images(badThird, 4), badThird, "image");
        yield return Bad("bytes-shape-3-for-1", Images(jpeg, 3), jpeg, "shape");

        var overCapacity = OipRequests.LengthPrefixed(Enumerable.Repeat(Jpeg, HostileExpectations.ImagesOverTest18Capacity));
        yield return Bad($"bytes-{HostileExpectations.ImagesOverTest18Capacity}-images-over-test18-capacity", Images(overCapacity, HostileExpectations.ImagesOverTest18Capacity), overCapacity, null);
        var tensors = Floats(HostileExpectations.ImagesOverTest18Capacity);
        // Six FP32 images (3.6 MB) pass the test service's body limit (1 MB + 64 KB) first: 413 before any tensor check.
        yield return new($"fp32-{HostileExpectations.ImagesOverTest18Capacity}-images-over-the-body-limit",
            Request(Input("FP32", $"[{HostileExpectations.ImagesOverTest18Capacity},3,224,224]", tensors.Length.ToString(CultureInfo.InvariantCulture))), tensors, HttpStatusCode.RequestEntityTooLarge, "body");

        foreach (var (label, value) in new[] { ("a-string", "\"5\""), ("zero", "0"), ("negative", "-3"), ("fractional", "2.5"), ("1e20", "1e20"), ("true", "true"), ("an-object", "{}") })
        {
            yield return Bad($"classification-{label}", Request(Input("BYTES", "[1]", jpeg.Length.ToString(CultureInfo.InvariantCulture)),
                $",\"outputs\":[{{\"name\":\"probabilities\",\"parameters\":{{\"classification\":{value}}}}}]"), jpeg, "classification");
        }

        yield return Bad("output-unknown-name", Request(Input("BYTES", "[1]", jpeg.Length.ToString(CultureInfo.InvariantCulture)), ",\"outputs\":[{\"name\":\"nope\"}]"), jpeg, "nope");
        yield return Bad("output-without-name", Request(Input("BYTES", "[1]", jpeg.Length.ToString(CultureInfo.InvariantCulture)), ",\"outputs\":[{}]"), jpeg, "name");
        yield return Bad("output-twice", Request(Input("BYTES", "[1]", jpeg.Length.ToString(CultureInfo.InvariantCulture)), ",\"outputs\":[{\"name\":\"logits\"},{\"name\":\"logits\"}]"), jpeg, "logits");
        yield return Bad("output-name-10000-chars", Request(Input("BYTES", "[1]", jpeg.Length.ToString(CultureInfo.InvariantCulture)), $",\"outputs\":[{{\"name\":\"{new string('o', 10_000)}\"}}]"), jpeg, "output");

        // Non-finite pixels are refused as input (docs/grpc.md: input values must be finite); non-finite OUTPUTS (3e38
        // everywhere) are answered, as Triton writes them, with the bare tokens NaN / Infinity / -Infinity.
        var nanPixel = Floats(1, static v => v[12_345] = float.NaN);
        var nanJson = Request(Input("FP32", "[1,3,224,224]", nanPixel.Length.ToString(CultureInfo.InvariantCulture)));
        yield return new("fp32-one-NaN-pixel", nanJson, nanPixel, HttpStatusCode.BadRequest, "finite");
        yield return new("fp32-one-NaN-pixel-probabilities-and-embedding",
            nanJson.Replace("]}", "],\"outputs\":[{\"name\":\"logits\"},{\"name\":\"probabilities\"},{\"name\":\"embedding\"}]}", StringComparison.Ordinal), nanPixel, HttpStatusCode.BadRequest, "finite");
        yield return new("fp32-one-NaN-pixel-classification-3",
            nanJson.Replace("]}", "],\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"classification\":3}}]}", StringComparison.Ordinal), nanPixel, HttpStatusCode.BadRequest, "finite");
        yield return new("fp32-one-NaN-pixel-binary-output", nanJson.Replace("]}", "],\"parameters\":{\"binary_data_output\":true}}", StringComparison.Ordinal), nanPixel, HttpStatusCode.BadRequest, "finite");
        var infinity = Floats(1, static v => v[0] = float.PositiveInfinity);
        yield return new("fp32-one-infinite-pixel", tensorJson, infinity, HttpStatusCode.BadRequest, "finite");
        var huge = Floats(1, static v => v.AsSpan().Fill(3e38f));
        yield return new("fp32-3e38-everywhere", tensorJson, huge, HttpStatusCode.OK, null);
        var negativeHuge = Floats(1, static v => v.AsSpan().Fill(-3e38f));
        yield return new("fp32-minus-3e38-everywhere", tensorJson, negativeHuge, HttpStatusCode.OK, null);
    }
}
