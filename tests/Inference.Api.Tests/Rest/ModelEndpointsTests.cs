using System.Net;
using Inference.Api.Tests.Support;
using Inference.Contracts.Rest;

namespace Inference.Api.Tests.Rest;

[Collection(ServiceTests.Name)]
public sealed class ModelEndpointsTests(ServiceFixture service)
{
    [Fact]
    public async Task ListModels_DemoModels_DescribesShapeLabelsEmbeddingAndProvider()
    {
        using var response = await service.Client.GetAsync(new Uri("/v1/models", UriKind.Relative), TestContext.Current.CancellationToken);

        var models = (await response.ReadAsync<ModelListResponse>()).Models;
        Assert.Equal([ServiceFactory.Model, ServiceFactory.WideModel], models.Select(m => m.Name));
        Assert.Equal(8, models[1].MaxBatchSize);
        var model = models[0];
        Assert.Equal("ready", model.State);
        Assert.Equal([-1L, 3, 224, 224], model.InputShape);
        Assert.Equal(1000, model.NumClasses);
        Assert.Equal(1000, model.Labels);
        Assert.Equal(512, model.EmbeddingDimension);
        Assert.Equal(2, model.MaxBatchSize);
        Assert.Equal("CPU", model.ExecutionProvider);
        Assert.Equal("demo", model.Weights);
        Assert.Contains("meaningless", model.Warning, StringComparison.Ordinal);
        Assert.NotNull(model.ReadySince);
    }

    [Fact]
    public async Task GetModel_Known_ReturnsIt()
    {
        using var response = await service.Client.GetAsync(new Uri($"/v1/models/{ServiceFactory.Model}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var info = await response.ReadAsync<ModelInfo>();
        Assert.Equal(ServiceFactory.Model, info.Name);
        Assert.Equal(["classify", "embed"], info.Tasks);
        Assert.Null(info.EmbeddingUnavailable);
    }

    [Fact]
    public async Task GetModel_Unknown_Returns404Problem()
    {
        using var response = await service.Client.GetAsync(new Uri("/v1/models/missing", UriKind.Relative), TestContext.Current.CancellationToken);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "missing");
    }
}
