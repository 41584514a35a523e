using System.Text.RegularExpressions;
using Inference.Container.Tests.Infrastructure;

namespace Inference.Container.Tests.Image;

/// <summary>
/// The Dockerfile's <c>cuda</c> target, built from the same staged context as the CPU image. Offline, that
/// context's feed holds only the packages of the CPU restore, so the build must get through every stage
/// up to the GPU restore and fail there for Microsoft.ML.OnnxRuntime.Gpu alone. Where the feed does hold
/// the GPU package, the image must carry ONNX Runtime's CUDA provider.
/// </summary>
[Trait("Category", "Container")]
public sealed partial class CudaTargetTests(ServiceImageFixture fixture, ITestOutputHelper output)
{
    private const string GpuPackage = "Microsoft.ML.OnnxRuntime.Gpu";

    [Fact]
    public async Task BuildCudaTarget_StagedContext_GetsToTheGpuRestoreAndLacksOnlyTheGpuPackage()
    {
        fixture.SkipWithoutService();
        var context = fixture.BuildContext;
        var images = fixture.BaseImages;
        Assert.True(context is not null && images is not null, "the fixture staged no build context");
        var tag = $"inference-cuda-test:{Guid.NewGuid():N}";

        // The runtime image stands in for the CUDA base (the cuda stage only copies .NET in and adds a user).
        var build = await ClassicDockerBuild.RunAsync(context, "cuda", tag, images, output.WriteLine);
        var steps = StepLine().Matches(build.Output).Select(m => m.Groups[1].Value).ToList();
        output.WriteLine($"exit {build.ExitCode}; {steps.Count} steps; last: {steps.LastOrDefault()}\n{build.Tail(8)}");

        if (build.Succeeded)
        {
            var providers = await ProcessRunner.RunAsync(
                "docker", ["run", "--rm", "--entrypoint", "bash", tag, "-c", "find /app -name 'libonnxruntime_providers_*.so'"], TimeSpan.FromMinutes(1));
            await ProcessRunner.RunAsync("docker", ["image", "rm", "-f", tag], TimeSpan.FromMinutes(1));
            Assert.Contains("libonnxruntime_providers_cuda.so", providers.Output, StringComparison.Ordinal);
            return;
        }

        Assert.NotEmpty(steps);
        Assert.Contains("dotnet restore", steps[^1], StringComparison.Ordinal);
        Assert.Contains("-p:UseCuda=true", steps[^1], StringComparison.Ordinal);
        Assert.Contains(steps, step => step.Contains("dotnet publish", StringComparison.Ordinal) && !step.Contains("UseCuda", StringComparison.Ordinal));
        var missing = NuGetError().Matches(build.Output).Select(m => (Code: m.Groups[1].Value, Package: m.Groups[2].Value)).Distinct().ToList();
        Assert.True(missing.Count > 0, $"the GPU restore failed without a NuGet error:\n{build.Tail(30)}");
        Assert.All(missing, error => Assert.True(
            error.Code == "NU1101" && error.Package.StartsWith(GpuPackage, StringComparison.Ordinal),
            $"the GPU restore lacks more than the GPU package: {error.Code} {error.Package}"));
        Assert.DoesNotMatch(CompilerError(), build.Output);
    }

    [GeneratedRegex(@"^Step \d+/\d+ : (.+)$", RegexOptions.Multiline)]
    private static partial Regex StepLine();

    [GeneratedRegex(@"error (NU\d{4}): Unable to find package ([A-Za-z0-9.]+)")]
    private static partial Regex NuGetError();

    [GeneratedRegex(@"error CS\d{4}")]
    private static partial Regex CompilerError();
}
