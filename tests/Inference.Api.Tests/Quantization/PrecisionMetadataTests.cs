using System.Net.Http.Json;
using System.Text.Json;
using Inference.Api.OpenInference;
using Inference.Api.Rest;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Api.Tests.Support;

namespace Inference.Api.Tests.Quantization;

/// <summary>The model's precision ("fp32" or "int8") in GET /v1/models/{m} and in OIP model metadata's parameters (REST) and the model configuration's parameters (Triton's field 14, REST and gRPC).</summary>
public sealed class PrecisionMetadataTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    [Theory]
    [InlineData("fp32")]
    [InlineData("int8")]
    public void ToInfoAndOipModel_Descriptor_ReportItsPrecision(string precision)
    {
        var model = FakeModels.Ready() with { Precision = precision };

        var info = ModelEndpoints.ToInfo(model);
        var config = OipMetadata.Config(model);
        var body = ModelMetadataBody.From(OipMetadata.Model(model), model.Precision);

        Assert.Equal(precision, info.Precision);
        Assert.Equal(precision, config.Parameters["precision"].StringValue);
        Assert.Equal(precision, body.Parameters["precision"]);
    }

    [Fact]
    public async Task Get_Fp32Model_ReportsPrecisionOnRestAndOip()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = service.Client;

        using var rest = await client.GetFromJsonAsync<JsonDocument>(new Uri($"/v1/models/{ServiceFactory.Model}", UriKind.Relative), ct);
        using var oip = await client.GetFromJsonAsync<JsonDocument>(new Uri($"/v2/models/{ServiceFactory.Model}", UriKind.Relative), ct);

        Assert.Equal("fp32", rest!.RootElement.GetProperty("precision").GetString());
        Assert.Equal("fp32", oip!.RootElement.GetProperty("parameters").GetProperty("precision").GetString());
    }
}
