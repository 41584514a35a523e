namespace Inference.Container.Tests.Infrastructure;

/// <summary>
/// <c>docker build</c> of a Dockerfile target from a staged context with the classic builder (it prints one
/// "Step i/n" line per step), the base images passed as build args and the tests left out.
/// </summary>
internal static class ClassicDockerBuild
{
    /// <summary>
    /// Runs the build, and once more where the engine lost a cached step's image mid-build: on an engine
    /// that runs share, another run's <c>docker image prune</c> can remove it.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(
        string context, string target, string tag, BaseImages images, Action<string> log, params string[] extraArguments)
    {
        // CUDA_IMAGE: the CUDA base cannot be pulled here; the runtime image stands in for it.
        string[] arguments =
            ["build", "--target", target, "--force-rm", "-t", tag, .. extraArguments,
             "--build-arg", $"SDK_IMAGE={images.Sdk}", "--build-arg", $"RUNTIME_IMAGE={images.Runtime}",
             "--build-arg", $"CUDA_IMAGE={images.Runtime}", "--build-arg", "RUN_TESTS=false", context];
        var environment = new Dictionary<string, string> { ["DOCKER_BUILDKIT"] = "0" };
        var build = await ProcessRunner.RunAsync("docker", arguments, TimeSpan.FromMinutes(10), environment: environment);
        if (!build.Succeeded && LostCachedImage(build.Output))
        {
            log($"the engine lost a cached image mid-build; building {target} again:\n{build.Tail(4)}");
            build = await ProcessRunner.RunAsync("docker", arguments, TimeSpan.FromMinutes(10), environment: environment);
        }

        return build;
    }

    /// <summary>Whether a failed build's output says an image it built on is gone.</summary>
    public static bool LostCachedImage(string output) => output.Contains("No such image", StringComparison.Ordinal);
}
