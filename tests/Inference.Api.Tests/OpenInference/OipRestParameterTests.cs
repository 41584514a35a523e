using System.Net;
using System.Text;
using System.Text.Json;
using Inference.Api.Tests.Grpc.TestHost;

namespace Inference.Api.Tests.OpenInference;

/// <summary>Parameters of the OIP REST binding that are not what the protocol says are refused, never silently ignored.</summary>
public sealed class OipRestParameterTests : IAsyncLifetime
{
    private InferenceTestHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await InferenceTestHost.StartAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Theory]
    [InlineData("\"5\"")]
    [InlineData("true")]
    [InlineData("2.5")]
    public async Task PostInfer_ClassificationNotAnInteger_Returns400NamingTheParameter(string classification)
    {
        var chw = OipRequests.Preprocess(_host.Services, TestImages.Png(1));
        var body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,224,224],\"data\":" + JsonSerializer.Serialize(chw) +
            "}],\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"classification\":" + classification + "}}]}";

        using var response = await _host.Http.PostAsync(
            "/v2/models/resnet-fake/infer", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains("classification", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
