namespace Inference.Container.Tests.Infrastructure;

/// <summary>
/// Finds a Docker engine and the base images; it changes nothing on the machine. The official .NET images are used
/// when INFERENCE_SDK_IMAGE / INFERENCE_RUNTIME_IMAGE name them or they are already present, else the local ones
/// that <c>.ci/docker-setup.sh</c> builds (debootstrap plus this machine's .NET). Installing Docker, starting
/// <c>dockerd</c> and building images belong to that script (<c>.ci/run</c> runs it first); where its results are
/// missing, the tests skip with a reason that says to run it. Nothing is pulled from a registry.
/// </summary>
internal static class DockerEnvironment
{
    public const string OfficialSdk = "mcr.microsoft.com/dotnet/sdk:10.0";
    public const string OfficialRuntime = "mcr.microsoft.com/dotnet/aspnet:10.0";

    /// <summary>What to run to enable the container tests, quoted in every skip reason.</summary>
    public static string HowToEnable(string repositoryRoot) =>
        $"To run them, run `bash {Path.Combine(repositoryRoot, ".ci", "docker-setup.sh")}` once as root (it installs docker.io, " +
        "debootstrap and docker-compose with apt, starts dockerd detached and builds the local base images; .ci/run does " +
        "this before the tests), or point INFERENCE_SDK_IMAGE and INFERENCE_RUNTIME_IMAGE at images your engine has.";

    /// <summary>The tags .ci/docker-setup.sh gives its images (its INFERENCE_LOCAL_* overrides included).</summary>
    private static string LocalSdk => Environment.GetEnvironmentVariable("INFERENCE_LOCAL_SDK_TAG") is { Length: > 0 } tag ? tag : "inference-local/dotnet-sdk:10.0";

    private static string LocalRuntime => Environment.GetEnvironmentVariable("INFERENCE_LOCAL_RUNTIME_TAG") is { Length: > 0 } tag ? tag : "inference-local/aspnet:10.0";

    private static string LocalPrometheus => Environment.GetEnvironmentVariable("INFERENCE_LOCAL_PROMETHEUS_TAG") is { Length: > 0 } tag ? tag : "inference-local/prometheus:debian";

    /// <summary>The base images, or why the container tests cannot run here (with how to enable them).</summary>
    public static async Task<(BaseImages? Images, string? Failure)> PrepareAsync(string repositoryRoot)
    {
        var engine = await ProcessRunner.RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(20));
        if (!engine.Succeeded)
        {
            return (null, $"No Docker engine answers (`docker info`: {FirstLine(engine.Output)}). {HowToEnable(repositoryRoot)}");
        }

        var sdk = Environment.GetEnvironmentVariable("INFERENCE_SDK_IMAGE");
        var runtime = Environment.GetEnvironmentVariable("INFERENCE_RUNTIME_IMAGE");
        if (!string.IsNullOrEmpty(sdk) && !string.IsNullOrEmpty(runtime))
        {
            return (new BaseImages(sdk, runtime), null);
        }

        foreach (var (candidateSdk, candidateRuntime) in new[] { (OfficialSdk, OfficialRuntime), (LocalSdk, LocalRuntime) })
        {
            if (await ImageExistsAsync(candidateSdk) && await ImageExistsAsync(candidateRuntime))
            {
                return (new BaseImages(sdk is { Length: > 0 } ? sdk : candidateSdk, runtime is { Length: > 0 } ? runtime : candidateRuntime), null);
            }
        }

        return (null, $"The Docker engine answers, but neither {OfficialSdk} + {OfficialRuntime} nor the local {LocalSdk} + {LocalRuntime} are here. {HowToEnable(repositoryRoot)}");
    }

    /// <summary>
    /// The Prometheus image for docker-compose.yml: INFERENCE_PROMETHEUS_IMAGE, else the compose file's default when it
    /// is already here, else the one <c>.ci/docker-setup.sh</c> builds from Debian's package.
    /// </summary>
    public static async Task<(string? Image, string? Failure)> PrometheusImageAsync(string repositoryRoot, string composeDefault)
    {
        if (Environment.GetEnvironmentVariable("INFERENCE_PROMETHEUS_IMAGE") is { Length: > 0 } configured)
        {
            return (configured, null);
        }

        foreach (var candidate in new[] { composeDefault, LocalPrometheus })
        {
            if (await ImageExistsAsync(candidate))
            {
                return (candidate, null);
            }
        }

        return (null, $"Neither {composeDefault} nor {LocalPrometheus} is here. {HowToEnable(repositoryRoot)}");
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

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";
}
