using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Grpc.Net.Client;
using Inference.Api.Tests.Grpc.RealService;
using Inference.Api.Tests.Support;
using Inference.Contracts.OpenInference;

namespace Inference.Api.Tests.OpenInference.RealService;

/// <summary>The binary tensor extension of the OIP REST binding on the real service, checked against the gRPC binding.</summary>
[Collection(ServiceTests.Name)]
public sealed class OipRestBinaryRealServiceTests(ServiceFixture service) : IDisposable
{
    private readonly GrpcChannel _channel = RealServiceGrpc.Channel(service.Factory);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task PostInfer_BinaryEncodedImages_RoundTripsBinaryAndJsonOutputsLikeGrpc()
    {
        byte[][] images = [TestImages.Jpeg(900), TestImages.Jpeg(901), TestImages.Png(902)];
        var binary = OipRequests.LengthPrefixed(images);
        var header = new
        {
            id = "b1",
            inputs = new[] { new { name = "input", datatype = "BYTES", shape = new[] { 3 }, parameters = new { binary_data_size = binary.Length } } },
            outputs = new object[]
            {
                new { name = "logits", parameters = new { binary_data = true } },
                new { name = "probabilities", parameters = new { binary_data = false, classification = 2 } },
                new { name = "embedding", parameters = new { binary_data = true } },
            },
        };

        using var answer = await RealOip.PostBinaryAsync(service.Client, ServiceFactory.WideModel, header, binary);
        var grpc = await new GRPCInferenceService.GRPCInferenceServiceClient(_channel).ModelInferAsync(
            RealOip.Images(ServiceFactory.WideModel, images).WithOutput("logits").WithOutput("probabilities", classification: 2).WithOutput("embedding"),
            cancellationToken: Ct);

        Assert.Equal((HttpStatusCode.OK, "application/octet-stream"), (answer.Status, answer.MediaType));
        Assert.Equal("b1", answer.Json.RootElement.GetProperty("id").GetString());
        Assert.Equal(3 * (1000 + 512) * sizeof(float), answer.Binary.Length);
        Assert.Equal([3L, 1000], Shape(answer.Outputs[0]));
        Assert.Equal(OipRequests.Floats(grpc.RawOutputContents[0]), Floats(answer.BinaryOf(0)));
        Assert.Equal(OipRequests.Strings(grpc.RawOutputContents[1].Span), answer.Outputs[1].GetProperty("data").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([3L, 2], Shape(answer.Outputs[1]));
        Assert.Equal(OipRequests.Floats(grpc.RawOutputContents[2]), Floats(answer.BinaryOf(2)));
    }

    [Fact]
    public async Task PostInfer_BinaryFp32Tensor_GivesTheLogitsOfTheBinaryEncodedImage()
    {
        var image = TestImages.Jpeg(910, 640, 480);
        var chw = RealOip.Preprocess(service.Factory, ServiceFactory.Model, image);
        var tensorBytes = MemoryMarshal.AsBytes(chw.AsSpan()).ToArray();
        var imageBytes = OipRequests.LengthPrefixed([image]);

        using var fromTensor = await RealOip.PostBinaryAsync(service.Client, ServiceFactory.Model, new
        {
            inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 1, 3, 224, 224 }, parameters = new { binary_data_size = tensorBytes.Length } } },
            parameters = new { binary_data_output = true },
        }, tensorBytes);
        using var fromImage = await RealOip.PostBinaryAsync(service.Client, ServiceFactory.Model, new
        {
            inputs = new[] { new { name = "input", datatype = "BYTES", shape = new[] { 1 }, parameters = new { binary_data_size = imageBytes.Length } } },
            parameters = new { binary_data_output = true },
        }, imageBytes);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (fromTensor.Status, fromImage.Status));
        Assert.Equal("logits", fromTensor.Outputs.EnumerateArray().Single().GetProperty("name").GetString());
        Assert.Equal(1000 * sizeof(float), fromTensor.Binary.Length);
        Assert.Equal(Floats(fromImage.BinaryOf(0)), Floats(fromTensor.BinaryOf(0)));
    }

    [Fact]
    public async Task PostInfer_BinarySizesThatDoNotAddUp_Is400NamingTheInput()
    {
        var binary = OipRequests.LengthPrefixed([TestImages.Jpeg(920)]);

        using var answer = await RealOip.PostBinaryAsync(service.Client, ServiceFactory.Model, new
        {
            inputs = new[] { new { name = "input", datatype = "BYTES", shape = new[] { 1 }, parameters = new { binary_data_size = binary.Length + 10 } } },
        }, binary);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("binary_data_size", answer.Json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static long[] Shape(JsonElement output) => [.. output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64())];

    private static float[] Floats(ReadOnlyMemory<byte> bytes) =>
        bytes.Length % sizeof(float) == 0
            ? MemoryMarshal.Cast<byte, float>(bytes.Span).ToArray()
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{bytes.Length} bytes is no FP32 tensor."));
}
