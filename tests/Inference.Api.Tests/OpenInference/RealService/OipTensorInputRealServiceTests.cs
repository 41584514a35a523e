using Grpc.Net.Client;
using Inference.Api.Tests.Grpc.RealService;
using Inference.Api.Tests.Support;
using Inference.Contracts.OpenInference;
using Inference.TestSupport;
using TestImages = Inference.Api.Tests.Support.TestImages;

namespace Inference.Api.Tests.OpenInference.RealService;

/// <summary>
/// ModelInfer's two input forms on the real model: encoded images (BYTES, preprocessed by the service) and FP32
/// tensors preprocessed by the caller with <c>ImagePreprocessor</c> and the model's own spec give the same logits.
/// </summary>
[Collection(ServiceTests.Name)]
public sealed class OipTensorInputRealServiceTests(ServiceFixture service) : IDisposable
{
    private readonly GrpcChannel _channel = RealServiceGrpc.Channel(service.Factory);

    private GRPCInferenceService.GRPCInferenceServiceClient Client => new(_channel);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _channel.Dispose();

    [Theory]
    [InlineData("generated.jpg")]
    [InlineData("generated.png")]
    [InlineData("darknet_dog.jpg")]
    public async Task ModelInfer_Fp32OfPreprocessedImage_GivesTheLogitsOfTheEncodedImage(string name)
    {
        var image = Image(name);
        var chw = RealOip.Preprocess(service.Factory, ServiceFactory.Model, image);

        var encoded = await Client.ModelInferAsync(RealOip.Images(ServiceFactory.Model, image), cancellationToken: Ct);
        var raw = await Client.ModelInferAsync(RealOip.Tensor(ServiceFactory.Model, chw), cancellationToken: Ct);
        var typed = await Client.ModelInferAsync(RealOip.Tensor(ServiceFactory.Model, chw, typed: true), cancellationToken: Ct);

        var expected = OipRequests.Floats(encoded.RawOutputContents[0]);
        Assert.Equal(1000, expected.Length);
        Assert.Equal(expected, OipRequests.Floats(raw.RawOutputContents[0]));
        Assert.Equal(expected, OipRequests.Floats(typed.RawOutputContents[0]));
        Assert.Equal(("logits", "FP32"), (raw.Outputs.Single().Name, raw.Outputs[0].Datatype));
        Assert.Equal([1L, 1000], raw.Outputs[0].Shape);
    }

    [Fact]
    public async Task ModelInfer_Fp32BatchOfTwo_GivesTheLogitsAndEmbeddingsOfTheTwoEncodedImages()
    {
        byte[][] images = [TestImages.Jpeg(800), TestImages.Png(801)];
        var nchw = RealOip.Preprocess(service.Factory, ServiceFactory.WideModel, images);

        var encoded = await Client.ModelInferAsync(
            RealOip.Images(ServiceFactory.WideModel, images).WithOutput("logits").WithOutput("embedding"), cancellationToken: Ct);
        var tensor = await Client.ModelInferAsync(
            RealOip.Tensor(ServiceFactory.WideModel, nchw).WithOutput("logits").WithOutput("embedding"), cancellationToken: Ct);

        Assert.Equal([2L, 1000], tensor.Outputs[0].Shape);
        Assert.Equal(OipRequests.Floats(encoded.RawOutputContents[0]), OipRequests.Floats(tensor.RawOutputContents[0]));
        Assert.Equal(OipRequests.Floats(encoded.RawOutputContents[1]), OipRequests.Floats(tensor.RawOutputContents[1]));
    }

    private static byte[] Image(string name)
    {
        switch (name)
        {
            case "generated.jpg":
                return TestImages.Jpeg(810, 500, 375);
            case "generated.png":
                return TestImages.Png(811, 240, 320);
            default:
                Assert.SkipWhen(SharedData.Fidelity is null, SharedData.MissingReason);
                return File.ReadAllBytes(Path.Combine(SharedData.Fidelity!, "images", name));
        }
    }
}
