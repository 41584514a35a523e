using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Inference.Container.Tests.Infrastructure;

/// <summary>
/// docker-compose.scale.yml brought up as its own project: three replicas, HAProxy and Prometheus, with the images
/// and host ports passed through the file's own overrides, and taken down with its volumes on dispose.
/// </summary>
public sealed class FleetStack : IAsyncDisposable
{
    public static readonly string[] Replicas = ["inference-1", "inference-2", "inference-3"];

    /// <summary>Above the file's stop_grace_period (45 s): <c>docker stop</c> waits for the drain, never SIGKILLs it.</summary>
    private const int StopTimeoutSeconds = 45;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private readonly string[] _command;
    private readonly Dictionary<string, string> _environment;
    private readonly Dictionary<string, string> _containerIds = [];

    private FleetStack(string[] command, Dictionary<string, string> environment)
    {
        _command = command;
        _environment = environment;
        Stats = new HaproxyStats(Port("LB_STATS_PORT"));
    }

    public static string ComposeFile => Path.Combine(ServiceImageFixture.RepositoryRoot, "docker-compose.scale.yml");

    public string Project { get; } = $"inferencefleet{Guid.NewGuid():N}"[..24];

    /// <summary>HAProxy's REST frontend (replays refused and dropped classify/embed requests).</summary>
    public Uri RestAddress => Address("REST_PORT");

    /// <summary>HAProxy's REST frontend that replays nothing a replica took (the crash test's control arm).</summary>
    public Uri NoReplayAddress => Address("NOREPLAY_PORT");

    /// <summary>HAProxy's h2c frontend for gRPC.</summary>
    public Uri GrpcAddress => Address("GRPC_PORT");

    public int PrometheusPort => Port("PROMETHEUS_PORT");

    public HaproxyStats Stats { get; }

    /// <summary>Creates and starts the replicas, HAProxy and Prometheus (no build, no pull: the images must be here).</summary>
    public static async Task<FleetStack> UpAsync(string[] command, IReadOnlyDictionary<string, string> images)
    {
        var environment = new Dictionary<string, string>(images)
        {
            ["REST_PORT"] = FreePort(),
            ["GRPC_PORT"] = FreePort(),
            ["NOREPLAY_PORT"] = FreePort(),
            ["LB_STATS_PORT"] = FreePort(),
            ["PROMETHEUS_PORT"] = FreePort(),
            ["GRAFANA_PORT"] = FreePort(),
        };
        var stack = new FleetStack(command, environment);
        var up = await stack.RunAsync(["up", "-d", "--no-build", .. Replicas, "haproxy", "prometheus"]);
        if (!up.Succeeded)
        {
            await stack.DisposeAsync();
            throw new InvalidOperationException($"compose up of {ComposeFile} failed ({up.ExitCode}):\n{up.Tail(30)}");
        }

        return stack;
    }

    /// <summary>Waits until HAProxy reports every replica UP in every backend (each one ready and past <c>rise</c>).</summary>
    public async Task WaitAllUpAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        foreach (var replica in Replicas)
        {
            await WaitUpAsync(replica, timeout, cancellationToken);
        }
    }

    /// <summary>Waits until HAProxy's checks have put the replica back in the REST and gRPC pools.</summary>
    public async Task WaitUpAsync(string replica, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            var rows = await Stats.ReadAsync(cancellationToken);
            if (HaproxyStats.Backends.All(backend => rows.Any(r => r.Proxy == backend && r.Server == replica && r.Status == "UP")))
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }

        Assert.Fail($"{replica} was not UP in HAProxy after {timeout}:\n{await LogsAsync(replica)}\n--- haproxy ---\n{await LogsAsync("haproxy")}");
    }

    /// <summary><c>docker stop</c>: SIGTERM, then waits for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync(string replica)
    {
        var id = await ContainerIdAsync(replica);
        var stop = await ProcessRunner.RunAsync(
            "docker", ["stop", "-t", StopTimeoutSeconds.ToString(CultureInfo.InvariantCulture), id], TimeSpan.FromSeconds(StopTimeoutSeconds + 30));
        Assert.True(stop.Succeeded, $"docker stop {replica}: {stop.Tail()}");
        return await ExitCodeAsync(id);
    }

    public async Task StartAsync(string replica)
    {
        var start = await ProcessRunner.RunAsync("docker", ["start", await ContainerIdAsync(replica)], TimeSpan.FromMinutes(1));
        Assert.True(start.Succeeded, $"docker start {replica}: {start.Tail()}");
    }

    /// <summary>SIGKILL (a crash). Docker's restart policy does not apply to <c>docker kill</c>: start it again.</summary>
    public async Task KillAsync(string replica)
    {
        var kill = await ProcessRunner.RunAsync("docker", ["kill", "--signal", "SIGKILL", await ContainerIdAsync(replica)], TimeSpan.FromSeconds(30));
        Assert.True(kill.Succeeded, $"docker kill {replica}: {kill.Tail()}");
    }

    public async Task<string> LogsAsync(string service) => (await RunAsync(["logs", "--no-color", "--tail", "30", service])).Tail(30);

    public async ValueTask DisposeAsync()
    {
        await Stats.DisposeAsync();
        await RunAsync(["down", "-v", "--remove-orphans", "-t", "5"]);
    }

    private async Task<string> ContainerIdAsync(string service)
    {
        if (_containerIds.TryGetValue(service, out var known))
        {
            return known;
        }

        var ps = await RunAsync(["ps", "-q", service]);
        var id = ps.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        Assert.True(ps.Succeeded && id is not null, $"compose ps -q {service}: {ps.Tail()}");
        _containerIds[service] = id;
        return id;
    }

    private static async Task<int> ExitCodeAsync(string id)
    {
        var inspect = await ProcessRunner.RunAsync("docker", ["inspect", "--format", "{{.State.ExitCode}}", id], TimeSpan.FromSeconds(20));
        return int.Parse(inspect.Output.Trim(), CultureInfo.InvariantCulture);
    }

    private Task<ProcessResult> RunAsync(IEnumerable<string> arguments) =>
        ProcessRunner.RunAsync(
            _command[0], [.. _command.Skip(1), "-f", ComposeFile, "-p", Project, .. arguments],
            CommandTimeout, ServiceImageFixture.RepositoryRoot, _environment);

    private int Port(string variable) => int.Parse(_environment[variable], CultureInfo.InvariantCulture);

    private Uri Address(string variable) => new($"http://127.0.0.1:{Port(variable)}");

    private static string FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
    }
}
