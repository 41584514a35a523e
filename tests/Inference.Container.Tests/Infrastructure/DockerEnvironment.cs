namespace Inference.Container.Tests.Infrastructure;

/// <summary>
/// Makes sure a Docker engine answers and picks the base images. The official .NET images are used
/// when INFERENCE_SDK_IMAGE / INFERENCE_RUNTIME_IMAGE name them or they are already present; otherwise
/// <c>.ci/docker-setup.sh</c> starts the engine if needed and builds (once per machine) local base
/// images from debootstrap plus this machine's .NET. Nothing is pulled from a registry.
/// </summary>
internal static class DockerEnvironment
{
    public const string OfficialSdk = "mcr.microsoft.com/dotnet/sdk:10.0";
    public const string OfficialRuntime = "mcr.microsoft.com/dotnet/aspnet:10.0";

    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(6);

    /// <summary>The base images, or the reason no Docker engine could be had.</summary>
    public static async Task<(BaseImages? Images, string? Failure)> PrepareAsync(string repositoryRoot)
    {
        var sdk = Environment.GetEnvironmentVariable("INFERENCE_SDK_IMAGE");
        var runtime = Environment.GetEnvironmentVariable("INFERENCE_RUNTIME_IMAGE");
        if (await EngineAnswersAsync())
        {
            if (!string.IsNullOrEmpty(sdk) && !string.IsNullOrEmpty(runtime))
            {
                return (new BaseImages(sdk, runtime), null);
            }

            if (await ImageExistsAsync(OfficialSdk) && await ImageExistsAsync(OfficialRuntime))
            {
                return (new BaseImages(OfficialSdk, OfficialRuntime), null);
            }
        }

        var script = Path.Combine(repositoryRoot, ".ci", "docker-setup.sh");
        var setup = await ProcessRunner.RunAsync("bash", [script], SetupTimeout, repositoryRoot);
        if (!setup.Succeeded)
        {
            return (null, $"No Docker engine could be started: {script} exited {setup.ExitCode}:\n{setup.Tail()}");
        }

        var values = setup.Output.Split('\n')
            .Select(line => line.Trim().Split('=', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);
        return values.TryGetValue("INFERENCE_SDK_IMAGE", out var localSdk)
            && values.TryGetValue("INFERENCE_RUNTIME_IMAGE", out var localRuntime)
            ? (new BaseImages(sdk is { Length: > 0 } ? sdk : localSdk, runtime is { Length: > 0 } ? runtime : localRuntime), null)
            : (null, $"{script} did not name the base images:\n{setup.Tail()}");
    }

    /// <summary>
    /// The Prometheus image for docker-compose.yml: INFERENCE_PROMETHEUS_IMAGE, else the compose file's
    /// default when it is already here, else the one <c>.ci/docker-setup.sh</c> builds from Debian's package.
    /// </summary>
    public static async Task<(string? Image, string? Failure)> PrometheusImageAsync(string repositoryRoot, string composeDefault)
    {
        if (Environment.GetEnvironmentVariable("INFERENCE_PROMETHEUS_IMAGE") is { Length: > 0 } configured)
        {
            return (configured, null);
        }

        if (await ImageExistsAsync(composeDefault))
        {
            return (composeDefault, null);
        }

        var script = Path.Combine(repositoryRoot, ".ci", "docker-setup.sh");
        var setup = await ProcessRunner.RunAsync("bash", [script], SetupTimeout, repositoryRoot);
        var line = setup.Output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("INFERENCE_PROMETHEUS_IMAGE=", StringComparison.Ordinal));
        return setup.Succeeded && line is not null
            ? (line["INFERENCE_PROMETHEUS_IMAGE=".Length..], null)
            : (null, $"{script} exited {setup.ExitCode} without naming a Prometheus image:\n{setup.Tail()}");
    }

    public static async Task<bool> EngineAnswersAsync() =>
        (await ProcessRunner.RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(20))).Succeeded;

    /// <summary>The engine's API version (Debian's docker.io 20.10 answers 1.41).</summary>
    public static async Task<Version?> ServerApiVersionAsync()
    {
        var result = await ProcessRunner.RunAsync(
            "docker", ["version", "--format", "{{.Server.APIVersion}}"], TimeSpan.FromSeconds(20));
        return result.Succeeded && Version.TryParse(result.Output.Trim(), out var version) ? version : null;
    }

    public static async Task<bool> ImageExistsAsync(string image) =>
        (await ProcessRunner.RunAsync("docker", ["image", "inspect", "--format", "{{.Id}}", image], TimeSpan.FromSeconds(20))).Succeeded;
}
