using System.Diagnostics;
using Inference.Container.Tests.Infrastructure;

namespace Inference.Container.Tests.Fleet;

/// <summary>
/// One replica killed with SIGKILL under a client at concurrency 8. Through the REST frontend that replays a request
/// a replica dropped (retry-on conn-failure empty-response 503, option redispatch) nothing fails. Through the
/// control frontend, which retries only what never reached a replica (a refused connection, a 503), exactly the
/// requests the killed replica held fail, and nothing else.
/// </summary>
[Trait("Category", "Container")]
[Collection(FleetCollection.Name)]
public sealed class CrashTests(FleetFixture fleet, ITestOutputHelper output)
{
    [Fact]
    public async Task Sigkill_WithReplayOn_NoRequestFails()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = await fleet.ReadyStackAsync(ct);
        var outcome = await KillUnderLoadAsync(stack, stack.RestAddress, "rest", "inference-2", ct);

        var failures = outcome.Requests.Where(r => !r.Succeeded).ToList();
        output.WriteLine(outcome.Describe(failures.Count));
        Assert.True(failures.Count == 0, $"{failures.Count} requests failed although HAProxy replays dropped ones:\n" + List(failures));
        Assert.True(outcome.RetriesAndRedispatches > 0, "HAProxy retried nothing: the kill met no request, so this proves nothing");
    }

    [Fact]
    public async Task Sigkill_WithReplayOff_OnlyTheKilledReplicasInFlightRequestsFail()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = await fleet.ReadyStackAsync(ct);
        const string victim = "inference-3";
        var outcome = await KillUnderLoadAsync(stack, stack.NoReplayAddress, "rest_noreplay", victim, ct);

        var failures = outcome.Requests.Where(r => !r.Succeeded).ToList();
        output.WriteLine(outcome.Describe(failures.Count));
        // Each failure was in flight on the killed replica: it started before the kill and ended after it, and where
        // HAProxy answered (502) it names that replica. A request that was on a reused server connection gets no
        // answer: HAProxy closes the client's connection instead (status 0 here), as a server would on a keep-alive race.
        Assert.All(failures, f =>
        {
            Assert.True(f.ServedBy is null || f.ServedBy == victim, $"a request failed on {f.ServedBy}, not the killed {victim}: {f.Status} {f.Error}");
            Assert.True(f.Started < outcome.KillReturned && f.Ended > outcome.KillSent,
                $"a failed request ran {f.Started.TotalSeconds:F2}-{f.Ended.TotalSeconds:F2} s, not across the kill " +
                $"({outcome.KillSent.TotalSeconds:F2}-{outcome.KillReturned.TotalSeconds:F2} s)");
        });
        Assert.InRange(failures.Count, 0, FleetLoad.Concurrency);
    }

    private static async Task<Outcome> KillUnderLoadAsync(FleetStack stack, Uri address, string backend, string victim, CancellationToken ct)
    {
        var before = await stack.Stats.ReadAsync(backend, "BACKEND", ct);
        var load = FleetLoad.Start(address);
        TimeSpan killSent, killReturned, back;
        long inFlight;
        IReadOnlyList<FleetLoad.Request> requests;
        try
        {
            await load.WaitForResponsesAsync(2 * FleetLoad.Concurrency, FleetFixture.ReadyTimeout, ct);
            inFlight = await WaitForInFlightAsync(stack, backend, victim, ct);
            killSent = load.Now;
            await stack.KillAsync(victim);
            killReturned = load.Now;

            // Started again, as a kubelet restarts a crashed container (Docker's restart policy ignores `docker
            // kill`); HAProxy's checks then put it back in the pool.
            await stack.StartAsync(victim);
            await stack.WaitUpAsync(victim, FleetFixture.ReadyTimeout, ct);
            back = load.Now;
            await load.WaitForResponsesAsync(FleetLoad.Concurrency, FleetFixture.ReadyTimeout, ct);
        }
        finally
        {
            requests = await load.StopAsync();
            await load.DisposeAsync();
        }

        var after = await stack.Stats.ReadAsync(backend, "BACKEND", ct);
        return new Outcome(victim, requests, inFlight, killSent, killReturned, back,
            after.Retries + after.Redispatches - before.Retries - before.Redispatches);
    }

    /// <summary>Polls HAProxy until the replica holds a request (so the kill meets one); returns its sessions then.</summary>
    private static async Task<long> WaitForInFlightAsync(FleetStack stack, string backend, string replica, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var row = await stack.Stats.ReadAsync(backend, replica, ct);
            if (row.Current > 0 || waited.Elapsed > TimeSpan.FromSeconds(20))
            {
                return row.Current;
            }

            await Task.Delay(10, ct);
        }
    }

    private static string List(IEnumerable<FleetLoad.Request> requests) =>
        string.Join('\n', requests.Take(10).Select(f => $"  {f.Started.TotalSeconds:F2}-{f.Ended.TotalSeconds:F2} s: {f.Status} from {f.ServedBy ?? "-"}: {f.Error}"));

    private sealed record Outcome(
        string Victim, IReadOnlyList<FleetLoad.Request> Requests, long InFlightAtKill, TimeSpan KillSent, TimeSpan KillReturned,
        TimeSpan BackInPool, long RetriesAndRedispatches)
    {
        public string Describe(int failures) =>
            $"SIGKILL {Victim} at {KillSent.TotalSeconds:F1} s with {InFlightAtKill} requests in flight on it (HAProxy scur just before); " +
            $"back in the pool at {BackInPool.TotalSeconds:F1} s; {Requests.Count} requests at concurrency {FleetLoad.Concurrency}, " +
            $"{failures} failed; HAProxy retries + redispatches during the test: {RetriesAndRedispatches}" +
            (failures > 0 ? "\n" + List(Requests.Where(r => !r.Succeeded)) : string.Empty);
    }
}
