using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Inference.Container.Tests.Infrastructure;

/// <summary>
/// The repository's docker-compose.yml brought up as its own project, with the images and host ports
/// passed through the file's own overrides (INFERENCE_IMAGE, PROMETHEUS_IMAGE, REST_PORT, ...), and
/// taken down with its volumes on dispose.
/// </summary>
internal sealed partial class ComposeStack : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private readonly string[] _command;
    private readonly Dictionary<string, string> _environment;

    private ComposeStack(string[] command, Dictionary<string, string> environment)
    {
        _command = command;
        _environment = environment;
    }

    public static string ComposeFile => Path.Combine(ServiceImageFixture.RepositoryRoot, "docker-compose.yml");

    public string Project { get; } = $"inferencecompose{Guid.NewGuid():N}"[..24];

    public int RestPort => int.Parse(_environment["REST_PORT"], System.Globalization.CultureInfo.InvariantCulture);

    public int PrometheusPort => int.Parse(_environment["PROMETHEUS_PORT"], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The default docker-compose.yml gives an image variable (<c>${NAME:-default}</c>).</summary>
    public static string DefaultImage(string variable)
    {
        var match = ImageVariable().Matches(File.ReadAllText(ComposeFile)).FirstOrDefault(m => m.Groups[1].Value == variable);
        Assert.True(match is not null, $"docker-compose.yml has no image: ${{{variable}:-...}}");
        return match.Groups[2].Value;
    }

    /// <summary><c>docker compose</c> (v2) or <c>docker-compose</c> (v1), whichever answers, or null.</summary>
    public static async Task<string[]?> FindCommandAsync()
    {
        if ((await ProcessRunner.RunAsync("docker", ["compose", "version"], TimeSpan.FromSeconds(20))).Succeeded)
        {
            return ["docker", "compose"];
        }

        return (await ProcessRunner.RunAsync("docker-compose", ["version"], TimeSpan.FromSeconds(20))).Succeeded ? ["docker-compose"] : null;
    }

    /// <summary>Creates and starts the named services (no build, no pull: the images must be here).</summary>
    public static async Task<ComposeStack> UpAsync(string[] command, IReadOnlyDictionary<string, string> images, params string[] services)
    {
        var environment = new Dictionary<string, string>(images)
        {
            ["REST_PORT"] = FreePort(),
            ["GRPC_PORT"] = FreePort(),
            ["PROMETHEUS_PORT"] = FreePort(),
            ["GRAFANA_PORT"] = FreePort(),
        };
        var stack = new ComposeStack(command, environment);
        var up = await stack.RunAsync(["up", "-d", "--no-build", .. services]);
        if (!up.Succeeded)
        {
            await stack.DisposeAsync();
            throw new InvalidOperationException($"compose up failed ({up.ExitCode}):\n{up.Tail(30)}");
        }

        return stack;
    }

    public Task<ProcessResult> RunAsync(IEnumerable<string> arguments) =>
        ProcessRunner.RunAsync(
            _command[0], [.. _command.Skip(1), "-f", ComposeFile, "-p", Project, .. arguments],
            CommandTimeout, ServiceImageFixture.RepositoryRoot, _environment);

    /// <summary>The id of a service's container.</summary>
    public async Task<string> ContainerIdAsync(string service)
    {
        var ps = await RunAsync(["ps", "-q", service]);
        var id = ps.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        Assert.True(ps.Succeeded && id is not null, $"compose ps -q {service}: {ps.Tail()}");
        return id;
    }

    public async Task<string> LogsAsync(string service) => (await RunAsync(["logs", "--no-color", service])).Tail(40);

    public async ValueTask DisposeAsync() => await RunAsync(["down", "-v", "--remove-orphans", "-t", "5"]);

    private static string FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"image:\s*\$\{([A-Z_]+):-([^}]+)\}")]
    private static partial Regex ImageVariable();
}
