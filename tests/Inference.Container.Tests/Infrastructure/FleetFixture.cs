using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Inference.Container.Tests.Infrastructure;

/// <summary>The fleet tests share one docker-compose.scale.yml stack (three replicas, HAProxy, Prometheus).</summary>
[CollectionDefinition(Name)]
public sealed class FleetCollection : ICollectionFixture<FleetFixture>
{
    public const string Name = "fleet";
}

/// <summary>
/// Brings up docker-compose.scale.yml once for the fleet tests, with this run's service image, and takes it down at
/// the end. HAProxy and Prometheus images: INFERENCE_HAPROXY_IMAGE / INFERENCE_PROMETHEUS_IMAGE, else the compose
/// file's defaults when they are here, else the ones <c>.ci/docker-setup.sh</c> builds from Debian's packages.
/// Nothing is pulled; where none is here the tests skip and say which script builds it.
/// </summary>
public sealed partial class FleetFixture(ServiceImageFixture image) : IAsyncLifetime
{
    /// <summary>From <c>docker start</c> to UP in HAProxy: start, demo-model load and warm-up, then HAProxy's rise.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(4);

    private FleetStack? _stack;

    /// <summary>Why the fleet cannot be brought up here (no compose, no HAProxy or Prometheus image), or null.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>From <c>compose up</c> until HAProxy had every replica UP.</summary>
    public TimeSpan TimeToReady { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (image.SkipReason is not null || image.ServiceMissingReason is not null)
        {
            return;
        }

        var command = await ComposeStack.FindCommandAsync();
        if (command is null)
        {
            SkipReason = "Neither `docker compose` nor `docker-compose` answers (bash .ci/docker-setup.sh installs Debian's docker-compose).";
            return;
        }

        var haproxy = await FindImageAsync("INFERENCE_HAPROXY_IMAGE", "HAPROXY_IMAGE", "inference-local/haproxy:debian");
        var prometheus = await FindImageAsync("INFERENCE_PROMETHEUS_IMAGE", "PROMETHEUS_IMAGE", "inference-local/prometheus:debian");
        if (haproxy is null || prometheus is null)
        {
            SkipReason = $"No {(haproxy is null ? "HAProxy" : "Prometheus")} image is here and none is pulled: run `bash .ci/docker-setup.sh` " +
                "(it builds inference-local/haproxy:debian and inference-local/prometheus:debian from Debian's packages) " +
                "or set INFERENCE_HAPROXY_IMAGE / INFERENCE_PROMETHEUS_IMAGE.";
            return;
        }

        var started = Stopwatch.StartNew();
        _stack = await FleetStack.UpAsync(command, new Dictionary<string, string>
        {
            ["INFERENCE_IMAGE"] = ServiceImageFixture.ImageName,
            ["HAPROXY_IMAGE"] = haproxy,
            ["PROMETHEUS_IMAGE"] = prometheus,
        });
        await _stack.WaitAllUpAsync(ReadyTimeout, CancellationToken.None);
        TimeToReady = started.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    /// <summary>The stack with every replica UP in HAProxy; skips where there is no Docker, service or fleet image.</summary>
    public async Task<FleetStack> ReadyStackAsync(CancellationToken cancellationToken)
    {
        image.SkipWithoutService();
        Assert.SkipWhen(SkipReason is not null, SkipReason ?? string.Empty);
        var stack = _stack ?? throw new InvalidOperationException("the fleet stack was not started");
        await stack.WaitAllUpAsync(ReadyTimeout, cancellationToken);
        return stack;
    }

    private static async Task<string?> FindImageAsync(string overrideVariable, string composeVariable, string localImage)
    {
        if (Environment.GetEnvironmentVariable(overrideVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        var match = ImageVariable().Matches(File.ReadAllText(FleetStack.ComposeFile)).FirstOrDefault(m => m.Groups[1].Value == composeVariable);
        Assert.True(match is not null, $"docker-compose.scale.yml has no image: ${{{composeVariable}:-...}}");
        foreach (var candidate in new[] { match.Groups[2].Value, localImage })
        {
            if (await DockerEnvironment.ImageExistsAsync(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    [GeneratedRegex(@"image:\s*\$\{([A-Z_]+):-([^}]+)\}")]
    private static partial Regex ImageVariable();
}
