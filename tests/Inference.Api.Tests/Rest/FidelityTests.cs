using Inference.Api.Tests.Support;
using Inference.Contracts.Rest;
using Inference.Engine.Inference;
using Inference.Engine.Postprocessing;
using Inference.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.Rest;

/// <summary>
/// The REST path preprocesses exactly as torchvision: the probabilities the service answers for a photo
/// equal those computed from torchvision's own crop of it (../shared/fidelity/expected).
/// </summary>
[Collection(ServiceTests.Name)]
public sealed class FidelityTests(ServiceFixture service)
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    [Theory]
    [InlineData("images", "darknet_dog.jpg", "image/jpeg")]
    [InlineData("images", "skimage_astronaut.png", "image/png")]
    [InlineData("variants", "lossy.webp", "image/webp")]
    public async Task Classify_Photo_ProbabilitiesEqualThoseOfTorchvisionCrop(string folder, string file, string mediaType)
    {
        Assert.SkipWhen(SharedData.Fidelity is null, SharedData.MissingReason);
        var photo = await File.ReadAllBytesAsync(Path.Combine(SharedData.Fidelity!, folder, file), TestContext.Current.CancellationToken);
        var crop = await File.ReadAllBytesAsync(Path.Combine(SharedData.Fidelity!, "expected", file + ".rgb"), TestContext.Current.CancellationToken);

        using var response = await service.Client.PostToAsync($"/v1/models/{ServiceFactory.Model}/classify?top_k=1000", Requests.Image(photo, mediaType));
        var served = (await response.ReadAsync<ClassifyResponse>()).Predictions.OrderBy(p => p.Index).Select(p => p.Probability).ToArray();

        var engine = service.Factory.Services.GetRequiredService<IInferenceEngine>();
        using var fromCrop = await engine.InferTensorAsync(
            ServiceFactory.Model, Normalize(crop), InferenceRequestOptions.Default, TestContext.Current.CancellationToken);
        var expected = new float[fromCrop.Logits.Length];
        Classification.Softmax(fromCrop.Logits, expected);

        Assert.Equal(expected.Length, served.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], served[i], 1e-6f);
        }
    }

    /// <summary>torchvision's ToTensor + Normalize of a 224x224 RGB HWC crop, as CHW float32.</summary>
    private static float[] Normalize(byte[] rgb)
    {
        const int Pixels = 224 * 224;
        var chw = new float[3 * Pixels];
        for (var i = 0; i < Pixels; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                chw[(c * Pixels) + i] = ((rgb[(i * 3) + c] / 255f) - Mean[c]) / Std[c];
            }
        }

        return chw;
    }
}
