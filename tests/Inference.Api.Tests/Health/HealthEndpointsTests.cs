using System.Net;
using Inference.Api.Tests.Support;
using Inference.Contracts.Rest;

namespace Inference.Api.Tests.Health;

[Collection(ServiceTests.Name)]
public sealed class HealthEndpointsTests(ServiceFixture service)
{
    [Fact]
    public async Task Live_Running_Returns200()
    {
        using var response = await service.Client.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("live", (await response.ReadAsync<HealthResponse>()).Status);
    }

    [Fact]
    public async Task Ready_ModelsWarmedUp_Returns200ListingEachModel()
    {
        using var response = await service.Client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadAsync<HealthResponse>();
        Assert.Equal("ready", body.Status);
        Assert.Equal(
            [new ModelHealth(ServiceFactory.Model, "ready", null), new ModelHealth(ServiceFactory.WideModel, "ready", null)],
            body.Models);
    }
}
