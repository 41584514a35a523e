using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Inference.Api.OpenInference;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Contracts.OpenInference;
using Inference.Engine.Inference;

namespace Inference.Api.Tests.OpenInference;

/// <summary>The OIP tensor codecs: streaming JSON, the binary extension and gRPC, on hostile and huge input.</summary>
public sealed class OipCodecTests
{
    private const string Model = FakeModels.Main;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Read_JsonFp32BatchOf100_AllocatesLessThanTwiceTheBody()
    {
        var body = JsonFp32Body(100);
        var slot = new float[3 * 224 * 224];
        using (var warmUp = OipRestRequestReader.Read(Model, null, body, null))
        {
            Assert.Equal(100 * 3 * 224 * 224, warmUp.Inputs[0].Fp32!.Count * warmUp.Inputs[0].Fp32!.PerImage);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        using var request = OipRestRequestReader.Read(Model, null, body, null);
        request.Inputs[0].Fp32!.Fill(0, slot);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100 * 3 * 224 * 224, request.Inputs[0].Fp32!.Count * request.Inputs[0].Fp32!.PerImage);
        Assert.Equal([0f, 1, 2, 9, 0], [.. slot[..3], slot[9], slot[10]]);
        TestContext.Current.TestOutputHelper?.WriteLine($"Parsing a {body.Length}-byte body allocated {allocated} bytes.");
        Assert.True(allocated < 2L * body.Length, $"Parsing a {body.Length}-byte body allocated {allocated} bytes.");
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1000000000,3,224,224],"data":[1]}]}""", "150528000000000")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[9223372036854775807,3,224,224],"data":[1]}]}""", "elements")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[9223372036854775808],"data":[1]}]}""", "shape[0]")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":["a"],"data":[1]}]}""", "shape[0]")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1.5],"data":[1]}]}""", "shape[0]")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[-1,2],"data":[1,2]}]}""", "-1")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[0,2],"data":[]}]}""", "at least 1")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2],"data":[1e39,1]}]}""", "FP32 range")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2],"data":[1,-1e39]}]}""", "data[1]")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2],"data":[1,"2"]}]}""", "data[1]")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2],"data":[1,true]}]}""", "not a number")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2],"data":[1,2,3]}]}""", "needs 2")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[3],"data":[1,2]}]}""", "needs 3")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2,2],"data":[[1,2],[3]]}]}""", "nest")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2,2],"data":[[1,2],3,4]}]}""", "nest")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[4],"data":[[1,2],[3,4]]}]}""", "nest")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2],"data":1}]}""", "array")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2],"data":[1,2""", "JSON")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2],"data":[1,2]}]}}""", "JSON")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[2],"data":[NaN,2]}]}""", "JSON")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP33","shape":[1],"data":[1]}]}""", "FP33")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"INT64","shape":[1],"data":[1]}]}""", "INT64")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"BYTES","shape":[2],"data":["a"]}]}""", "needs 2")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"BYTES","shape":[1],"data":[1]}]}""", "not a string")]
    [InlineData("""{"inputs":[{"name":"input","shape":[1],"data":[1]}]}""", "datatype")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","data":[1]}]}""", "shape")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1]}]}""", "data")]
    [InlineData("""{"inputs":{}}""", "inputs")]
    [InlineData("""[]""", "object")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1],"data":[1]}],"outputs":[{"name":"logits","parameters":{"classification":"5"}}]}""", "classification")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1],"data":[1]}],"outputs":[{"name":"logits","parameters":{"classification":0}}]}""", "classification")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1],"data":[1]}],"outputs":[{"name":"logits","parameters":{"binary_data":"yes"}}]}""", "binary_data")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP32","shape":[1],"data":[1],"data":[2]}]}""", "twice")]
    public void Read_HostileJson_ThrowsInvalidInputNamingTheProblem(string json, string expected)
    {
        var error = Assert.Throws<InferenceException>(() => OipRestRequestReader.Read(Model, null, Encoding.UTF8.GetBytes(json), null));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FP32", "[2]", 12, "binary_data_size 12")]
    [InlineData("FP32", "[2]", 7, "binary_data_size 7")]
    [InlineData("FP32", "[2]", 99, "99")]
    [InlineData("FP32", "[2]", -8, "-8")]
    [InlineData("BYTES", "[3]", 8, "needs 3")]
    public void Read_BinaryExtensionSizeMismatch_ThrowsInvalidInput(string datatype, string shape, int size, string expected)
    {
        var (body, headerLength) = BinaryBody(datatype, shape, size, new byte[12]);

        var error = Assert.Throws<InferenceException>(() => OipRestRequestReader.Read(Model, null, body, headerLength));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Read_BinaryFp32NonFinite_ThrowsInvalidInputNamingTheIndex(float value)
    {
        var values = new float[] { 1, 2, value, 4 };
        var (body, headerLength) = BinaryBody("FP32", "[4]", 16, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

        var error = Assert.Throws<InferenceException>(() => OipRestRequestReader.Read(Model, null, body, headerLength));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.Contains("[2]", error.Message, StringComparison.Ordinal);
        Assert.Contains("finite", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NestedAndFlatJson_ReadTheSameValues()
    {
        const string Nested = """{"id":"n","inputs":[{"name":"input","datatype":"FP32","shape":[2,3],"data":[[1,2,3],[4,5.5,-6e-3]]}]}""";
        const string Flat = """{"inputs":[{"data":[1,2,3,4,5.5,-6e-3],"shape":[2,3],"datatype":"FP32","name":"input"}],"id":"f"}""";

        using var nested = OipRestRequestReader.Read(Model, null, Encoding.UTF8.GetBytes(Nested), null);
        using var flat = OipRestRequestReader.Read(Model, null, Encoding.UTF8.GetBytes(Flat), null);

        float[] expected = [1, 2, 3, 4, 5.5f, -6e-3f];
        Assert.Equal(expected, OipJsonTensorReaderTests.Values(nested.Inputs[0].Fp32!));
        Assert.Equal(expected, OipJsonTensorReaderTests.Values(flat.Inputs[0].Fp32!));
        Assert.Equal([2L, 3], flat.Inputs[0].Shape);
        Assert.Equal(("n", "f"), (nested.Id, flat.Id));
    }

    [Theory]
    [InlineData(new long[] { 1000000000, 3, 224, 224 }, "150528000000000")]
    [InlineData(new long[] { long.MaxValue, 3, 224, 224 }, "elements")]
    [InlineData(new long[] { -1, 3, 224, 224 }, "-1")]
    [InlineData(new long[] { 2, 2 }, "needs 4")]
    public void Decode_GrpcHostileShape_ThrowsInvalidInput(long[] shape, string expected)
    {
        var request = new ModelInferRequest { ModelName = Model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { shape } });
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[8]));

        var error = Assert.Throws<InferenceException>(() => OipGrpcCodec.Decode(request));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_GrpcNaNInTypedContents_ThrowsInvalidInput()
    {
        var request = new ModelInferRequest { ModelName = Model };
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 2 } };
        tensor.Contents = new InferTensorContents { Fp32Contents = { 1, float.NaN } };
        request.Inputs.Add(tensor);

        var error = Assert.Throws<InferenceException>(() => OipGrpcCodec.Decode(request));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.Contains("[1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteInfer_NonFiniteOutputs_WritesTritonsNaNAndInfinityTokens()
    {
        var output = new OipOutput("logits", "FP32", [1, 4], [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1.5f], null, false);

        var (json, binary) = OipRestResponseWriter.WriteInfer(new OipInferResponse(Model, "1", "x", [output]));

        Assert.Empty(binary);
        Assert.Contains("\"data\":[NaN,Infinity,-Infinity,1.5]", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ClassificationOverNonFiniteLogits_RanksInfinityFirstAndNaNLast()
    {
        float[] logits = [1, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0, 2, float.NaN, 3, -1, 5];
        var model = FakeModels.Ready();
        var plan = OipOutputPlan.For(model, [new OipRequestedOutput("logits", 10, false), new OipRequestedOutput("probabilities", 2, false)]);
        var result = new InferenceResult(model, logits, logits.Length, null, 0, 1);

        var outputs = plan.Build([result]);

        Assert.Equal(
            ["Infinity:2:class-2", "5.000000:9:class-9", "3.000000:7:class-7", "2.000000:5:class-5", "1.000000:0:class-0",
             "0.000000:4:class-4", "-1.000000:8:class-8", "-Infinity:3:class-3", "NaN:1:class-1", "NaN:6:class-6"],
            outputs[0].Bytes!);
        Assert.Equal(["NaN:0:class-0", "NaN:1:class-1"], outputs[1].Bytes!);
    }

    [Fact]
    public async Task PostInfer_HugeShape_Is400NotA500()
    {
        await using var host = await InferenceTestHost.StartAsync();
        const string Json = """{"inputs":[{"name":"input","datatype":"FP32","shape":[1000000000,3,224,224],"data":[1]}]}""";

        using var response = await host.Http.PostAsync($"/v2/models/{Model}/infer", new StringContent(Json, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains("150528000000000", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostInfer_OutputsOverflowToNonFinite_AnswersTritonTokensAndWellOrderedClasses()
    {
        await using var host = await InferenceTestHost.StartAsync();
        var chw = Enumerable.Repeat(3e38f, 3 * 224 * 224).ToArray();
        var expected = FakeInferenceEngine.Compute(chw).Logits;
        Assert.Contains(expected, v => !float.IsFinite(v));
        var body = JsonSerializer.Serialize(new
        {
            inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 1, 3, 224, 224 }, data = chw } },
            outputs = new object[] { new { name = "logits" }, new { name = "probabilities", parameters = new { classification = 10 } } },
        });

        using var response = await host.Http.PostAsync($"/v2/models/{Model}/infer", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var tokens = expected.Select(v => float.IsNaN(v) ? "NaN" : float.IsPositiveInfinity(v) ? "Infinity" : float.IsNegativeInfinity(v) ? "-Infinity"
            : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"\"data\":[{string.Join(',', tokens)}]", text, StringComparison.Ordinal);
        Assert.Contains("\"NaN:0:class-0\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostInfer_BinaryFp32WithOneNaNPixel_Is400NamingTheValue()
    {
        await using var host = await InferenceTestHost.StartAsync();
        var chw = new float[3 * 224 * 224];
        chw[1234] = float.NaN;
        var (body, headerLength) = BinaryBody("FP32", "[1,3,224,224]", chw.Length * sizeof(float), MemoryMarshal.AsBytes(chw.AsSpan()).ToArray());
        using var content = new ByteArrayContent(body);
        content.Headers.Add("Inference-Header-Content-Length", headerLength.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await host.Http.PostAsync($"/v2/models/{Model}/infer", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains("[1234] is NaN", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    internal static byte[] JsonFp32Body(int batch)
    {
        var head = Encoding.UTF8.GetBytes($"{{\"id\":\"big\",\"inputs\":[{{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[{batch},3,224,224],\"data\":[");
        var tail = "]}]}"u8;
        var count = batch * 3 * 224 * 224;
        var body = new byte[head.Length + (2 * count) - 1 + tail.Length];
        head.CopyTo(body, 0);
        for (var i = 0; i < count; i++)
        {
            body[head.Length + (2 * i)] = (byte)('0' + (i % 10));
            if (i < count - 1)
            {
                body[head.Length + (2 * i) + 1] = (byte)',';
            }
        }

        tail.CopyTo(body.AsSpan(body.Length - tail.Length));
        return body;
    }

    private static (byte[] Body, int HeaderLength) BinaryBody(string datatype, string shape, int size, byte[] binary)
    {
        var header = Encoding.UTF8.GetBytes(
            $"{{\"inputs\":[{{\"name\":\"input\",\"datatype\":\"{datatype}\",\"shape\":{shape},\"parameters\":{{\"binary_data_size\":{size}}}}}]}}");
        return ([.. header, .. binary], header.Length);
    }
}
