using Inference.Api.Tests.Support;
using Inference.Engine.Inference;
using Inference.Tools.Evaluate;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.Rest;

/// <summary>tools/Evaluate's two modes, over REST (--url) and in-process, rank every image the same.</summary>
[Collection(ServiceTests.Name)]
public sealed class EvaluateRestTests(ServiceFixture service)
{
    [Fact]
    public async Task RankAsync_RestAndInProcess_AgreeImageByImage()
    {
        var ct = TestContext.Current.CancellationToken;
        var rest = new RestRanker(service.Client, ServiceFactory.Model);
        var inProcess = new EngineRanker(service.Factory.Services.GetRequiredService<IInferenceEngine>(), ServiceFactory.Model);

        for (var seed = 0; seed < 6; seed++)
        {
            var image = TestImages.Jpeg(seed);
            var overRest = await rest.RankAsync(image, Evaluator.TopK, ct);
            var direct = await inProcess.RankAsync(image, Evaluator.TopK, ct);

            Assert.Equal(Evaluator.TopK, overRest.Count);
            Assert.Equal(direct, overRest);
        }
    }
}
