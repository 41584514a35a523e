using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Inference.Container.Tests.Infrastructure;

namespace Inference.Container.Tests.Shutdown;

/// <summary>SIGTERM under load: every accepted request completes and the process exits 0 in time.</summary>
[Trait("Category", "Container")]
public sealed class DrainTests(ServiceImageFixture fixture, ITestOutputHelper output)
{
    private const int Concurrency = 8;
    private const int WarmupResponses = 24;

    /// <summary>The drain timeout given to the service; the grace period is twice that (as in deploy/k8s).</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan GracePeriod = DrainTimeout * 2;

    [Fact]
    public async Task Sigterm_UnderLoad_CompletesEveryAcceptedRequestAndExitsZeroWithinGracePeriod()
    {
        fixture.SkipWithoutService();
        var environment = new Dictionary<string, string> { ["Inference__ShutdownTimeout"] = DrainTimeout.ToString("c") };
        await using var service = await ServiceImageFixture.StartServiceAsync(environment, TestContext.Current.CancellationToken);
        using var client = service.CreateRestClient();
        var image = TestImages.Jpeg();
        var outcomes = new ConcurrentQueue<string>();
        var inFlight = 0;
        using var stop = new CancellationTokenSource();

        var workers = Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref inFlight);
                outcomes.Enqueue(await ClassifyAsync(client, image));
                Interlocked.Decrement(ref inFlight);
            }
        })).ToList();
        var warmup = Stopwatch.StartNew();
        while (outcomes.Count < WarmupResponses && warmup.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        // From here no request starts; the ones in flight were all sent before the signal.
        await stop.CancelAsync();
        var inFlightAtSignal = Volatile.Read(ref inFlight);
        var completedBeforeSignal = outcomes.Count;
        var drain = Stopwatch.StartNew();
        var kill = await ProcessRunner.RunAsync("docker", ["kill", "--signal", "SIGTERM", service.Container.Id], TimeSpan.FromSeconds(20));
        await Task.WhenAll(workers);
        var wait = await ProcessRunner.RunAsync("docker", ["wait", service.Container.Id], GracePeriod);
        drain.Stop();
        var logs = await service.LogsAsync();

        output.WriteLine(
            $"time to ready {service.TimeToReady.TotalSeconds:F1} s; {completedBeforeSignal} responses before SIGTERM, " +
            $"{inFlightAtSignal} in flight at SIGTERM, {outcomes.Count} responses in all; exit after {drain.Elapsed.TotalSeconds:F2} s " +
            $"with code {wait.Output.Trim()}");
        Assert.True(kill.Succeeded, kill.Output);
        Assert.True(inFlightAtSignal > 0, "no request was in flight when SIGTERM was sent");
        Assert.True(wait.Succeeded, $"the container did not exit within the grace period of {GracePeriod}: {wait.Output}\n{logs}");
        Assert.Equal("0", wait.Output.Trim());
        Assert.All(outcomes, outcome => Assert.Equal("200", outcome));
    }

    private static async Task<string> ClassifyAsync(HttpClient client, byte[] image)
    {
        try
        {
            var content = new ByteArrayContent(image);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            using var response = await client.PostAsync(new Uri("/v1/models/resnet18/classify", UriKind.Relative), content);
            return response.StatusCode == HttpStatusCode.OK
                ? "200"
                : $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
        }
        catch (HttpRequestException ex)
        {
            return "lost: " + ex.Message;
        }
    }
}
