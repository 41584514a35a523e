using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Inference.Api.Tests.Grpc.RealService;
using Inference.Api.Tests.Support;
using Inference.Engine.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.ModelControl;

/// <summary>
/// The must-show swap: the real service on a real Kestrel port, <c>poll</c> at 1 s, four callers classifying for the
/// whole test while version 2 is copied into the repository, then version 3, then version 2 is removed. Every answer
/// must be 200 and come from a version the policy (latest 1) allowed while the request was in flight; afterwards the
/// engine holds exactly one ONNX Runtime session per served version.
/// </summary>
public sealed class SwapUnderLoadTests
{
    private const string Model = "swap18";

    [Fact]
    public async Task PollSwap_ConcurrencyFourThroughTwoSwapsAndARemoval_NoFailureAndOnlyAllowedVersions()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repository = new VersionedRepository(Model);
        repository.AddDemoVersion(1);
        await using var service = await KestrelService.StartAsync(repository.Settings("poll"));
        var control = service.Services.GetRequiredService<IModelRepositoryControl>();
        var catalog = service.Services.GetRequiredService<IModelCatalog>();
        using var client = new HttpClient { BaseAddress = service.RestAddress, Timeout = TimeSpan.FromMinutes(2) };
        var image = TestImages.Jpeg(7);

        // Phases: which versions the policy allows from when (a request may span two phases: either is allowed).
        var clock = Stopwatch.StartNew();
        var phases = new ConcurrentQueue<(TimeSpan From, int[] Allowed)>();
        phases.Enqueue((TimeSpan.Zero, [1]));
        var answers = new ConcurrentQueue<(TimeSpan Start, TimeSpan End, HttpStatusCode Status, string? Version)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var start = clock.Elapsed;
                using var response = await client.PostAsync(new Uri($"/v1/models/{Model}/classify", UriKind.Relative), Requests.Image(image), CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                string? version = response.IsSuccessStatusCode ? JsonDocument.Parse(body).RootElement.GetProperty("version").GetString() : body;
                answers.Enqueue((start, clock.Elapsed, response.StatusCode, version));
            }
        }, CancellationToken.None)).ToArray();
        var readiness = new ConcurrentQueue<HttpStatusCode>();
        var readinessProbe = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), CancellationToken.None);
                readiness.Enqueue(response.StatusCode);
                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);

        async Task ServedAsync(string version)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(3));
            while (!answers.Any(a => a.Version == version && a.Start > phases.Last().From))
            {
                await Task.Delay(100, timeout.Token);
            }
        }

        await ServedAsync("1");
        phases.Enqueue((clock.Elapsed, [1, 2]));
        repository.CopyVersion(2);
        await ServedAsync("2");
        phases.Enqueue((clock.Elapsed, [2, 3]));
        repository.CopyVersion(3);
        await ServedAsync("3");
        phases.Enqueue((clock.Elapsed, [3]));
        repository.RemoveVersion(2);

        // Three more polls after the removal, still under load.
        await Task.Delay(TimeSpan.FromSeconds(3.5), ct);
        await stop.CancelAsync();
        await Task.WhenAll([.. callers, readinessProbe]);

        var timeline = phases.ToArray();
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.Status));
        Assert.All(readiness, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.All(answers, answer =>
        {
            var overlapping = timeline.Where((phase, i) => phase.From <= answer.End && (i + 1 == timeline.Length || timeline[i + 1].From >= answer.Start));
            Assert.Contains(int.Parse(answer.Version!, System.Globalization.CultureInfo.InvariantCulture), overlapping.SelectMany(p => p.Allowed));
        });
        Assert.Contains(answers, a => a.Version == "1");
        Assert.Contains(answers, a => a.Version == "2");
        Assert.Contains(answers, a => a.Version == "3");

        // Retired versions dispose their sessions once their accepted requests are answered: wait for that, then count.
        var served = catalog.Versions(Model);
        Assert.Equal(["3"], served.Select(m => m.Version));
        using var settle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        settle.CancelAfter(TimeSpan.FromSeconds(30));
        while (control.LiveSessions != served.Count)
        {
            await Task.Delay(50, settle.Token);
        }

        Assert.Equal(1, control.LiveSessions);
        Assert.Contains(control.Index(readyOnly: false), e => e is { Version: "3", State: IndexStates.Ready });
        Assert.DoesNotContain(control.Index(readyOnly: false), e => e.Version == "2");

    }
}
