using System.Net;
using System.Text;
using Inference.Api.Tests.Support;

namespace Inference.Api.Tests.Hostile;

/// <summary>
/// Hostile JSON tensor bodies for the OIP REST binding (<c>POST /v2/models/{m}/infer</c>): invalid and truncated
/// JSON, overflowing and malformed shapes, numbers beyond float, wrong datatypes and nesting, bad BYTES images.
/// </summary>
[Collection(HostileCollection.Name)]
[TestCaseOrderer(typeof(GroupCheckLastOrderer))]
public sealed class OipRestJsonHostileTests(HostileService service) : HostileGroup(service)
{
    private const int Pixels = 3 * 224 * 224;
    private const string Shape = "[1,3,224,224]";

    private static readonly IReadOnlyDictionary<string, OipJsonCase> Cases = Build().ToDictionary(static c => c.Name, StringComparer.Ordinal);

    public static TheoryData<string> Names => [.. Cases.Keys];

    private sealed record OipJsonCase(string Name, string Path, string Body, HttpStatusCode Status, string? Keyword);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Infer_HostileJsonBody_AnswersTritonErrorNamingIt(string name)
    {
        var c = Cases[name];
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(c.Body));
        content.Headers.ContentType = new("application/json");

        using var response = await Service.Client.PostToAsync(c.Path, content);

        await HostileAssert.OipRestAsync(response, c.Status, c.Keyword);
        await Service.AssertReadyAndIdleAsync();
    }

    [Fact]
    public Task OipRestJson_AfterAllCases_ServiceStillServes() => Service.AssertStillServingAsync();

    /// <summary>One input of the model, named <c>input</c> unless <paramref name="name"/> says otherwise; raw JSON fragments.</summary>
    internal static string Request(string datatype, string shape, string data, string name = "\"input\"", string outputs = "") =>
        $"{{\"inputs\":[{{\"name\":{name},\"datatype\":{datatype},\"shape\":{shape},\"data\":{data}}}]{outputs}}}";

    private static IEnumerable<OipJsonCase> Build()
    {
        var infer = $"/v2/models/{ServiceFactory.Model}/infer";
        OipJsonCase Bad(string name, string body, string? keyword) => new(name, infer, body, HttpStatusCode.BadRequest, keyword);

        var zeros = $"[{string.Join(',', Enumerable.Repeat("0", Pixels))}]";
        string FullWith(string first) => $"[{first},{string.Join(',', Enumerable.Repeat("0", Pixels - 1))}]";
        var bytesRequest = Request("\"BYTES\"", "[1]", "[\"x\"]");

        yield return Bad("invalid-json", "{\"inputs\": [ {\"name\": ", "JSON");
        yield return Bad("not-json-at-all", "hello world", "JSON");
        yield return Bad("empty-body", "", "JSON");
        foreach (var cut in new[] { 1, 10, 30, 50, bytesRequest.Length - 1 })
        {
            yield return Bad($"json-cut-at-{cut}-chars", bytesRequest[..cut], "JSON");
        }

        yield return Bad("root-array", "[]", "inputs");
        yield return Bad("root-string", "\"inputs\"", "inputs");
        yield return Bad("no-inputs", "{}", "inputs");
        yield return Bad("inputs-an-object", "{\"inputs\":{}}", "inputs");
        yield return Bad("inputs-empty", "{\"inputs\":[]}", "input");
        yield return Bad("input-a-number", "{\"inputs\":[5]}", "input");
        yield return Bad("input-named-pixels", Request("\"FP32\"", Shape, zeros, name: "\"pixels\""), "input");
        yield return Bad("input-name-a-number", Request("\"FP32\"", Shape, zeros, name: "5"), "name");
        yield return Bad("two-inputs", $"{{\"inputs\":[{Request("\"FP32\"", Shape, zeros)[11..^2]},{Request("\"FP32\"", Shape, zeros)[11..^2]}]}}", "input");

        foreach (var (label, shape) in new[]
        {
            ("1000000000x3x224x224", "[1000000000,3,224,224]"),
            ("int64-max-batch", "[9223372036854775807,3,224,224]"),
            ("int64-max-width", "[1,3,224,9223372036854775807]"),
            ("over-uint64", "[18446744073709551616,3,224,224]"),
            ("negative-batch", "[-1,3,224,224]"),
            ("negative-height", "[1,3,-224,224]"),
            ("zero-batch", "[0,3,224,224]"),
            ("rank-3", "[3,224,224]"),
            ("rank-5", "[1,1,3,224,224]"),
            ("empty", "[]"),
            ("string-dim", "[\"a\"]"),
            ("string-dims", "[\"1\",\"3\",\"224\",\"224\"]"),
            ("fractional-dim", "[1.5,3,224,224]"),
            ("1e30-dim", "[1e30,3,224,224]"),
            ("null-dim", "[null,3,224,224]"),
            ("a-string", "\"1,3,224,224\""),
            ("an-object", "{\"n\":1}"),
            ("wrong-channels", "[1,4,224,224]"),
        })
        {
            yield return Bad($"fp32-shape-{label}", Request("\"FP32\"", shape, "[0]"), "shape");
        }

        yield return Bad("fp32-shape-missing", "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"data\":[0]}]}", "shape");
        yield return Bad("fp32-data-missing", "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,224,224]}]}", "data");
        yield return Bad("fp32-3-values-for-150528", Request("\"FP32\"", Shape, "[0,0,0]"), "shape");
        yield return Bad("fp32-150529-values", Request("\"FP32\"", Shape, $"[0,{zeros[1..]}"), "shape");
        yield return Bad("fp32-1e39-only", Request("\"FP32\"", Shape, "[1e39]"), null);
        yield return Bad("fp32-full-with-1e39", Request("\"FP32\"", Shape, FullWith("1e39")), null);
        yield return Bad("fp32-full-with-minus-1e39", Request("\"FP32\"", Shape, FullWith("-1e39")), null);
        yield return Bad("fp32-full-with-1e400", Request("\"FP32\"", Shape, FullWith("1e400")), null);
        yield return Bad("fp32-bare-NaN-token", Request("\"FP32\"", Shape, FullWith("NaN")), "JSON");
        yield return Bad("fp32-string-number", Request("\"FP32\"", Shape, FullWith("\"0.5\"")), "not a number");
        yield return Bad("fp32-string-NaN", Request("\"FP32\"", Shape, FullWith("\"NaN\"")), "not a number");
        yield return Bad("fp32-true", Request("\"FP32\"", Shape, FullWith("true")), "not a number");
        yield return Bad("fp32-null", Request("\"FP32\"", Shape, FullWith("null")), "not a number");
        yield return Bad("fp32-object", Request("\"FP32\"", Shape, FullWith("{\"v\":0}")), "not a number");
        yield return Bad("fp32-data-a-string", Request("\"FP32\"", Shape, "\"0,0,0\""), null);
        yield return Bad("fp32-ragged-nesting", Request("\"FP32\"", Shape, $"[[0,0],[0],{zeros[1..^1]}]"), null);
        yield return Bad("fp32-too-deep-nesting", Request("\"FP32\"", Shape, "[[[[[[0]]]]]]"), null);
        yield return Bad("fp32-nesting-10000-deep", Request("\"FP32\"", Shape, new string('[', 10_000) + new string(']', 10_000)), null);

        foreach (var (label, datatype) in new[]
        {
            ("INT64", "\"INT64\""), ("FP16", "\"FP16\""), ("FP64", "\"FP64\""), ("unknown-FP128", "\"FP128\""), ("lowercase-fp32", "\"fp32\""),
            ("empty", "\"\""), ("a-number", "5"), ("null", "null"),
        })
        {
            yield return Bad($"datatype-{label}", Request(datatype, Shape, zeros), "datatype");
        }

        yield return Bad("bytes-datatype-with-image-shape", Request("\"BYTES\"", Shape, "[\"x\"]"), "shape");
        yield return Bad("bytes-not-an-image", Request("\"BYTES\"", "[1]", "[\"not an image\"]"), "image");
        yield return Bad("bytes-empty-string", Request("\"BYTES\"", "[1]", "[\"\"]"), "empty");
        yield return Bad("bytes-jpeg-magic-in-a-string", Request("\"BYTES\"", "[1]", "[\"\\u00ff\\u00d8\\u00ff\\u00e0 truncated\"]"), "image");
        yield return Bad("bytes-a-number", Request("\"BYTES\"", "[1]", "[123]"), "not a string");
        yield return Bad("bytes-shape-2-for-1", Request("\"BYTES\"", "[2]", "[\"x\"]"), "shape");
        yield return Bad("bytes-shape-1x1", Request("\"BYTES\"", "[1,1]", "[\"x\"]"), "shape");
        yield return Bad("bytes-shape-int64-max", Request("\"BYTES\"", "[9223372036854775807]", "[\"x\"]"), "shape");
        yield return Bad("bytes-shape-0", Request("\"BYTES\"", "[0]", "[]"), "shape");

        yield return new("model-unknown", "/v2/models/resnet9000/infer", Request("\"FP32\"", Shape, zeros), HttpStatusCode.NotFound, "resnet9000");
        yield return new("model-4000-chars", $"/v2/models/{new string('m', 4000)}/infer", Request("\"FP32\"", Shape, zeros), HttpStatusCode.NotFound, "model");
        yield return new("model-path-traversal", "/v2/models/..%2F..%2Fetc%2Fpasswd/infer", Request("\"FP32\"", Shape, zeros), HttpStatusCode.NotFound, "model");
        yield return new("version-unknown", $"/v2/models/{ServiceFactory.Model}/versions/99/infer", Request("\"FP32\"", Shape, zeros), HttpStatusCode.NotFound, "version");
        yield return new("version-int64-overflow", $"/v2/models/{ServiceFactory.Model}/versions/99999999999999999999/infer", Request("\"FP32\"", Shape, zeros), HttpStatusCode.NotFound, "version");
    }
}
