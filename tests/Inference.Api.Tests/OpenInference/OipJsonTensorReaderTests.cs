using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Inference.Api.DataPlane;
using Inference.Api.OpenInference;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Contracts.OpenInference;

namespace Inference.Api.Tests.OpenInference;

/// <summary>
/// FP32 tensors read image by image straight into the engine's slots (issue 10, defect 1): at most 2x the body in
/// memory, every image answered as its own, and a bad value anywhere refused before any image is queued.
/// </summary>
public sealed class OipJsonTensorReaderTests : IAsyncLifetime
{
    private const int PerImage = 3 * 224 * 224;

    private InferenceTestHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await InferenceTestHost.StartAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    /// <summary>
    /// Transient memory per request at most 2x its body: reading a 30 MB FP32 [100,3,224,224] JSON body from its
    /// stream and parsing every image into a slot (the engine's arena, not counted) holds the pooled body and
    /// allocates next to nothing. The whole-tensor float buffer it replaces was by itself 2.2x the body.
    /// </summary>
    [Fact]
    public async Task ReadAsync_JsonFp32BatchOf100_PooledPlusAllocatedIsAtMostTwiceTheBody()
    {
        var body = OipCodecTests.JsonFp32Body(100);
        var slot = new float[PerImage];
        using (var warmUp = await OipRestRequestReader.ReadAsync(FakeModels.Main, null, new MemoryStream(body, writable: false), body.Length, null, Ct))
        {
            FillAll(warmUp.Inputs[0].Fp32!, slot);
        }

        using var stream = new MemoryStream(body, writable: false);
        // MemoryStream completes synchronously: everything below runs on this thread.
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var request = await OipRestRequestReader.ReadAsync(FakeModels.Main, null, stream, body.Length, null, Ct);
        var images = request.Inputs[0].Fp32!;
        FillAll(images, slot);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var pooled = request.Buffers!.PooledBytes;

        Assert.Equal((100, PerImage), (images.Count, images.PerImage));
        var last = 99 * PerImage;
        Assert.Equal([last % 10, (last + 1) % 10, (last + PerImage - 1) % 10], [(int)slot[0], (int)slot[1], (int)slot[PerImage - 1]]);
        TestContext.Current.TestOutputHelper?.WriteLine($"A {body.Length}-byte body: {pooled} bytes pooled, {allocated} bytes allocated.");
        Assert.True(pooled + allocated <= 2L * body.Length, $"A {body.Length}-byte body held {pooled} pooled bytes and allocated {allocated} bytes.");
    }

    [Fact]
    public void Fill_NestedBatchOneImageAtATime_ResumesAcrossImageBoundaries()
    {
        const string Json = """{"inputs":[{"name":"input","datatype":"FP32","shape":[3,2,2],"data":[ [[1,2],[3,4]] ,[[5,6],[7,8]],[[9,1e1],[-11,1.2e1]] ]}]}""";
        using var request = OipRestRequestReader.Read(FakeModels.Main, null, Encoding.UTF8.GetBytes(Json), null);
        var images = request.Inputs[0].Fp32!;

        Assert.Equal((3, 4), (images.Count, images.PerImage));
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8, 9, 10, -11, 12], Values(images));
    }

    [Fact]
    public void Fill_OutOfOrder_IsRefused()
    {
        using var request = OipRestRequestReader.Read(FakeModels.Main, null, """{"inputs":[{"name":"input","datatype":"FP32","shape":[2,1],"data":[1,2]}]}"""u8.ToArray(), null);

        Assert.Throws<InvalidOperationException>(() => request.Inputs[0].Fp32!.Fill(1, new float[1]));
    }

    /// <summary>A bad value in image 2 of 3 is found before image 0 is queued: nothing reaches the engine, and the next request is served.</summary>
    [Theory]
    [InlineData("1e39", false, "data[301061] = 1e39 is outside the FP32 range")]
    [InlineData("-3.5e38", false, "data[301061] = -3.5e38 is outside the FP32 range")]
    [InlineData("\"x\"", false, "data[301061] is a string, not a number")]
    [InlineData("short", false, "has 451583 FP32 values; shape [3,3,224,224] needs 451584")]
    [InlineData("long", false, "has more than 451584 values")]
    [InlineData("1e39", true, "data[301061] = 1e39 is outside the FP32 range")]
    [InlineData("short", true, "has an array of 223 at depth 4 where the shape says 224")]
    public async Task PostInfer_Fp32BatchWithBadValueInImage2_Is400NamingItAndQueuesNothing(string bad, bool nested, string expected)
    {
        var started = _host.Engine.Started;

        using var response = await _host.Http.PostAsync($"/v2/models/{FakeModels.Main}/infer", Json(BatchBody(bad, nested)), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains(expected, error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(started, _host.Engine.Started);
        using var next = await _host.Http.PostAsync($"/v2/models/{FakeModels.Main}/infer", Json(BatchBody("0", nested)), Ct);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(started + 3, _host.Engine.Started);
    }

    /// <summary>Three different images in one FP32 tensor, over every encoding: each answer is that image's own.</summary>
    [Theory]
    [InlineData("json")]
    [InlineData("nested")]
    [InlineData("binary")]
    [InlineData("grpc-raw")]
    [InlineData("grpc-typed")]
    public async Task Infer_Fp32BatchOf3_AnswersEachImageAsItsOwn(string encoding)
    {
        var chw = new[] { TestImages.Png(1), TestImages.Png(2), TestImages.Png(3) }.Select(i => OipRequests.Preprocess(_host.Services, i)).ToArray();
        float[] all = [.. chw.SelectMany(static c => c)];

        var logits = encoding switch
        {
            "json" or "nested" or "binary" => await PostAsync(encoding, chw, all),
            _ => await InferGrpcAsync(encoding, all),
        };

        Assert.Equal([.. chw.SelectMany(static c => FakeInferenceEngine.Compute(c).Logits)], logits);
    }

    private async Task<float[]> PostAsync(string encoding, float[][] chw, float[] all)
    {
        object data = encoding == "nested" ? chw.Select(Nest).ToArray() : all;
        using var content = encoding == "binary" ? BinaryContent(all) : Json(JsonSerializer.Serialize(new
        {
            inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 3, 3, 224, 224 }, data } },
            outputs = new[] { new { name = "logits" } },
        }));

        using var response = await _host.Http.PostAsync($"/v2/models/{FakeModels.Main}/infer", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return [.. json.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(static e => e.GetSingle())];
    }

    private async Task<float[]> InferGrpcAsync(string encoding, float[] all)
    {
        var request = OipRequests.Tensor(all, batch: 3).WithOutput("logits");
        if (encoding == "grpc-typed")
        {
            request.RawInputContents.Clear();
            request.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { all } };
        }

        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_host.Channel);
        var response = await client.ModelInferAsync(request, cancellationToken: Ct);
        return OipRequests.Floats(response.RawOutputContents[0]);
    }

    /// <summary>Every image's values, end to end, filled one image at a time as the engine does.</summary>
    internal static float[] Values(TensorSource images)
    {
        var values = new float[images.Count * images.PerImage];
        for (var i = 0; i < images.Count; i++)
        {
            images.Fill(i, values.AsSpan(i * images.PerImage, images.PerImage));
        }

        return values;
    }

    private static void FillAll(TensorSource images, float[] slot)
    {
        for (var i = 0; i < images.Count; i++)
        {
            images.Fill(i, slot);
        }
    }

    /// <summary>One CHW image as [3][224][224].</summary>
    private static float[][][] Nest(float[] chw) =>
        [.. Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, 224).Select(y => chw.AsSpan((c * 224 * 224) + (y * 224), 224).ToArray()).ToArray())];

    /// <summary>
    /// FP32 [3,3,224,224] of zeros, flat or nested, with <paramref name="bad"/> as image 2's sixth value (index 301061);
    /// "short" drops image 2's last value, "long" adds one after it.
    /// </summary>
    private static string BatchBody(string bad, bool nested)
    {
        var data = new StringBuilder(4 * 3 * PerImage);
        for (var image = 0; image < 3; image++)
        {
            data.Append(image == 0 ? "" : ",").Append(nested ? "[" : "");
            for (var c = 0; c < 3; c++)
            {
                data.Append(c == 0 ? "" : ",").Append(nested ? "[" : "");
                for (var y = 0; y < 224; y++)
                {
                    var lastRow = image == 2 && c == 2 && y == 223;
                    data.Append(y == 0 ? "" : ",").Append(nested ? "[" : "");
                    for (var x = 0; x < 224; x++)
                    {
                        if (lastRow && x == 223 && bad == "short")
                        {
                            break;
                        }

                        var value = image == 2 && c == 0 && y == 0 && x == 5 && bad is not ("short" or "long") ? bad : "0";
                        data.Append(x == 0 ? "" : ",").Append(value);
                    }

                    data.Append(lastRow && bad == "long" ? ",0" : "").Append(nested ? "]" : "");
                }

                data.Append(nested ? "]" : "");
            }

            data.Append(nested ? "]" : "");
        }

        return string.Create(
            CultureInfo.InvariantCulture, $$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[3,3,224,224],"data":[{{data}}]}]}""");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static ByteArrayContent BinaryContent(float[] values)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new
        {
            inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 3, 3, 224, 224 }, parameters = new { binary_data_size = values.Length * sizeof(float) } } },
            outputs = new[] { new { name = "logits", parameters = new { binary_data = false } } },
        });
        var content = new ByteArrayContent([.. header, .. MemoryMarshal.AsBytes(values.AsSpan())]);
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(CultureInfo.InvariantCulture));
        return content;
    }
}
