using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Contracts.OpenInference;
using Inference.Engine.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.OpenInference;

public sealed class OipRestTests : IAsyncLifetime
{
    private InferenceTestHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await InferenceTestHost.StartAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Theory]
    [InlineData("/v2/health/live", HttpStatusCode.OK)]
    [InlineData("/v2/health/ready", HttpStatusCode.BadRequest)]
    [InlineData("/v2/models/resnet-fake/ready", HttpStatusCode.OK)]
    [InlineData("/v2/models/resnet-fake/versions/1/ready", HttpStatusCode.OK)]
    [InlineData("/v2/models/resnet-loading/ready", HttpStatusCode.BadRequest)]
    [InlineData("/v2/models/nope", HttpStatusCode.NotFound)]
    [InlineData("/v2/models/resnet-fake/versions/2", HttpStatusCode.NotFound)]
    public async Task Get_HealthAndModelRoutes_AnswerTritonStatusCodes(string path, HttpStatusCode expected)
    {
        using var response = await _host.Http.GetAsync(path, Ct);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.NotFound)
        {
            using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            var expectedMessage = path.Contains("nope", StringComparison.Ordinal) ? "'nope' is not served" : "no version '2'";
            Assert.Contains(expectedMessage, error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetServerAndModelMetadata_Always_MatchTheGrpcAnswers()
    {
        using var server = JsonDocument.Parse(await _host.Http.GetStringAsync("/v2", Ct));
        using var model = JsonDocument.Parse(await _host.Http.GetStringAsync("/v2/models/resnet-fake/versions/1", Ct));
        using var config = JsonDocument.Parse(await _host.Http.GetStringAsync("/v2/models/resnet-fake/config", Ct));

        Assert.Equal(["classification", "binary_tensor_data", "model_configuration", "statistics"],
            server.RootElement.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("onnxruntime_onnx", model.RootElement.GetProperty("platform").GetString());
        Assert.Equal([-1L, 3, 224, 224], model.RootElement.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(3, model.RootElement.GetProperty("outputs").GetArrayLength());
        Assert.Equal(8, config.RootElement.GetProperty("max_batch_size").GetInt32());
        Assert.Equal("TYPE_FP32", config.RootElement.GetProperty("input")[0].GetProperty("data_type").GetString());
    }

    [Fact]
    public async Task PostInfer_JsonFp32_ReturnsJsonLogitsAndClassification()
    {
        var image = TestImages.Png(1);
        var chw = OipRequests.Preprocess(_host.Services, image);
        var body = new
        {
            id = "j1",
            inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 1, 3, 224, 224 }, data = chw } },
            outputs = new object[] { new { name = "logits" }, new { name = "probabilities", parameters = new { classification = 2 } } },
        };

        using var response = await _host.Http.PostAsync("/v2/models/resnet-fake/infer", JsonContent(body), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var outputs = json.RootElement.GetProperty("outputs");
        Assert.Equal("j1", json.RootElement.GetProperty("id").GetString());
        var logits = outputs[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(FakeInferenceEngine.Compute(chw).Logits, logits);
        Assert.Equal("BYTES", outputs[1].GetProperty("datatype").GetString());
        Assert.Equal([1L, 2], outputs[1].GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.EndsWith($":class-{outputs[1].GetProperty("data")[0].GetString()!.Split(':')[1]}", outputs[1].GetProperty("data")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostInfer_BinaryTensorExtension_RoundTripsImagesAndOutputs()
    {
        var images = new[] { TestImages.Png(2), TestImages.Png(3), TestImages.Png(4) };
        var binaryInput = OipRequests.LengthPrefixed(images);
        var header = JsonSerializer.SerializeToUtf8Bytes(new
        {
            inputs = new[] { new { name = "input", datatype = "BYTES", shape = new[] { 3 }, parameters = new { binary_data_size = binaryInput.Length } } },
            outputs = new object[]
            {
                new { name = "embedding", parameters = new { binary_data = true } },
                new { name = "logits", parameters = new { binary_data = true, classification = 1 } },
            },
        });
        using var content = new ByteArrayContent([.. header, .. binaryInput]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(CultureInfo.InvariantCulture));

        using var response = await _host.Http.PostAsync("/v2/models/resnet-fake/infer", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jsonLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), CultureInfo.InvariantCulture);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        using var json = JsonDocument.Parse(bytes.AsMemory(0, jsonLength));
        var outputs = json.RootElement.GetProperty("outputs");
        var embeddingSize = outputs[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32();
        var classSize = outputs[1].GetProperty("parameters").GetProperty("binary_data_size").GetInt32();
        Assert.Equal(bytes.Length, jsonLength + embeddingSize + classSize);
        var embeddings = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(jsonLength, embeddingSize)).ToArray();
        var classes = OipRequests.Strings(bytes.AsSpan(jsonLength + embeddingSize, classSize));

        var grpc = await new GRPCInferenceService.GRPCInferenceServiceClient(_host.Channel)
            .ModelInferAsync(OipRequests.Images(images).WithOutput("embedding").WithOutput("logits", classification: 1), cancellationToken: Ct);
        Assert.Equal(OipRequests.Floats(grpc.RawOutputContents[0]), embeddings);
        Assert.Equal(OipRequests.Strings(grpc.RawOutputContents[1].Span), classes);
        Assert.Equal(3, classes.Count);
    }

    [Theory]
    [InlineData("nope", "{\"inputs\":[]}", null, HttpStatusCode.NotFound)]
    [InlineData("resnet-fake", "{not json", null, HttpStatusCode.BadRequest)]
    [InlineData("resnet-fake", "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,2,2],\"data\":[1,2]}]}", null, HttpStatusCode.BadRequest)]
    [InlineData("resnet-fake", "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"BYTES\",\"shape\":[1],\"parameters\":{\"binary_data_size\":99}}]}", 0, HttpStatusCode.BadRequest)]
    [InlineData("resnet-loading", "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"x\"]}]}", null, HttpStatusCode.ServiceUnavailable)]
    public async Task PostInfer_BadRequest_AnswersErrorJsonWithTritonStatus(string model, string json, int? headerLength, HttpStatusCode expected)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        if (headerLength is not null)
        {
            content.Headers.Add("Inference-Header-Content-Length", Encoding.UTF8.GetByteCount(json).ToString(CultureInfo.InvariantCulture));
        }

        using var response = await _host.Http.PostAsync($"/v2/models/{model}/infer", content, Ct);

        Assert.Equal(expected, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.False(string.IsNullOrWhiteSpace(error.RootElement.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task PostInfer_QueueFull_Is503WithRetryAfter()
    {
        _host.Engine.QueueCapacity = 0;
        var binary = OipRequests.LengthPrefixed([TestImages.Png(1)]);
        var header = Encoding.UTF8.GetBytes($"{{\"inputs\":[{{\"name\":\"input\",\"datatype\":\"BYTES\",\"shape\":[1],\"parameters\":{{\"binary_data_size\":{binary.Length}}}}}]}}");
        using var body = new ByteArrayContent([.. header, .. binary]);
        body.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(CultureInfo.InvariantCulture));

        using var response = await _host.Http.PostAsync("/v2/models/resnet-fake/infer", body, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task PostInfer_QueueFullAndBodyStillUnsent_IsRefusedBeforeTheBodyIsRead()
    {
        _host.Engine.QueueCapacity = 0;
        using var unsent = new CancellationTokenSource();
        using var body = new EndlessContent(unsent.Token);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _host.Http.PostAsync("/v2/models/resnet-fake/infer", body, Ct);
        await unsent.CancelAsync();

        // The body never ends: an answer at all means the request was refused without reading it.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.False(body.Completed);
    }

    [Fact]
    public async Task GetStats_RecordedWork_WritesEveryTotalAndTheBatchSizes()
    {
        var engine = (EngineStatistics)_host.Services.GetRequiredService<IEngineStatistics>();
        engine.Preprocessed("resnet-fake", "1", TimeSpan.FromMilliseconds(2));
        engine.Preprocessed("resnet-fake", "1", TimeSpan.FromMilliseconds(2));
        engine.BatchRan("resnet-fake", "1", 2, TimeSpan.FromMilliseconds(10));
        engine.RequestCompleted("resnet-fake", "1", succeeded: true, images: 2, TimeSpan.FromMilliseconds(15));

        using var stats = JsonDocument.Parse(await _host.Http.GetStringAsync("/v2/models/resnet-fake/stats", Ct));

        var model = Assert.Single(stats.RootElement.GetProperty("model_stats").EnumerateArray());
        Assert.Equal((2, 1), (model.GetProperty("inference_count").GetInt32(), model.GetProperty("execution_count").GetInt32()));
        var inference = model.GetProperty("inference_stats");
        Assert.Equal((1, 15_000_000L), Duration(inference.GetProperty("success")));
        Assert.Equal((2, 4_000_000L), Duration(inference.GetProperty("compute_input")));
        Assert.Equal((2, 20_000_000L), Duration(inference.GetProperty("compute_infer")));
        var batch = Assert.Single(model.GetProperty("batch_stats").EnumerateArray());
        Assert.Equal(2, batch.GetProperty("batch_size").GetInt32());
        Assert.Equal((1, 10_000_000L), Duration(batch.GetProperty("compute_infer")));
    }

    private static (int Count, long Ns) Duration(JsonElement duration) =>
        (duration.GetProperty("count").GetInt32(), duration.GetProperty("ns").GetInt64());

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>A request body that sends the start of a JSON document and then waits until told to stop.</summary>
    private sealed class EndlessContent(CancellationToken stop) : HttpContent
    {
        public bool Completed { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync("{\"inputs\":["u8.ToArray(), stop).ConfigureAwait(false);
            await stream.FlushAsync(stop).ConfigureAwait(false);
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
            Completed = true;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
