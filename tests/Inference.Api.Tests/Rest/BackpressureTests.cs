using System.Net;
using Inference.Api.Tests.Support;
using Inference.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.Rest;

/// <summary>
/// Queue-full (429) and deadline (504), made deterministic by holding the CPU compute gate so that the
/// model's executor blocks on its first batch: test18 has max batch 2 and queue capacity 3.
/// </summary>
[Collection(ServiceTests.Name)]
public sealed class BackpressureTests(ServiceFixture service)
{
    private const string Classify = $"/v1/models/{ServiceFactory.Model}/classify";

    [Fact]
    public async Task Classify_QueueFull_Returns429WithRetryAfterAndLosesNothingAccepted()
    {
        var (gate, model) = Engine();
        var accepted = new List<Task<HttpResponseMessage>>();
        using (gate.Enter())
        {
            accepted.Add(Send(60));
            await WaitUntilAsync(() => model.InFlight == 1);
            accepted.AddRange([Send(61), Send(62), Send(63)]);
            await WaitUntilAsync(() => model.QueueDepth == 3);

            using var rejected = await Send(64);

            await ProblemAssert.IsProblemAsync(rejected, HttpStatusCode.TooManyRequests, "queue");
            Assert.True(rejected.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }

        foreach (var response in await Task.WhenAll(accepted))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        await WaitUntilAsync(() => model.FreeSlots == model.SlotCount);
    }

    [Fact]
    public async Task Classify_DeadlinePassesWhileQueued_Returns504AndRunningRequestCompletes()
    {
        var (gate, model) = Engine();
        Task<HttpResponseMessage> running;
        using (gate.Enter())
        {
            running = Send(70);
            await WaitUntilAsync(() => model.InFlight == 1);
            using var request = new HttpRequestMessage(HttpMethod.Post, Classify) { Content = Requests.Image(TestImages.Jpeg(71)) };
            request.Headers.TryAddWithoutValidation("Request-Timeout", "100");

            using var response = await service.Client.SendAsync(request, TestContext.Current.CancellationToken);

            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.GatewayTimeout, "deadline");
        }

        using var completed = await running;
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        await WaitUntilAsync(() => model.FreeSlots == model.SlotCount);
    }

    private (ComputeGate Gate, LoadedModel Model) Engine() => (
        service.Factory.Services.GetRequiredService<ComputeGate>(),
        service.Factory.Services.GetRequiredService<ModelManager>().GetServing(ServiceFactory.Model));

    private Task<HttpResponseMessage> Send(int seed) => service.Client.PostToAsync(Classify, Requests.Image(TestImages.Jpeg(seed)));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
