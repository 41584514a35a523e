using Inference.Container.Tests.Infrastructure;

namespace Inference.Container.Tests.Image;

/// <summary>
/// The Dockerfile's <c>cuda</c> target, built from a staged context like the CPU image's whose offline feed also holds
/// the GPU restore's packages (staged here only: 0.4 GB the other tests do not need). Only the CUDA base image is out
/// of reach here, so the runtime image stands in for it (the <c>cuda</c> stage only copies .NET in, adds the user and copies <c>build-cuda</c>'s publish): every other
/// step runs for real, and the image must carry ONNX Runtime's CUDA provider.
/// </summary>
[Trait("Category", "Container")]
public sealed class CudaTargetTests(ServiceImageFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task BuildCudaTarget_StagedContext_ImageCarriesTheCudaProviderAndGpuSettings()
    {
        fixture.SkipWithoutService();
        var images = fixture.BaseImages;
        Assert.True(images is not null, "the fixture found no base images");
        var context = await BuildContextStager.StageAsync(ServiceImageFixture.RepositoryRoot, ServiceImageFixture.StagingFolder("cuda"), includeGpu: true);
        var tag = $"inference-cuda-test:{Guid.NewGuid():N}";
        try
        {
            var build = await ClassicDockerBuild.RunAsync(
                context, "cuda", tag, images, output.WriteLine, "--label", $"{ServiceImageFixture.BuildIdLabel}=cuda-{Guid.NewGuid():N}");
            output.WriteLine($"exit {build.ExitCode}\n{build.Tail(8)}");
            Assert.True(build.Succeeded, $"docker build --target cuda failed:\n{build.Tail(40)}");

            var inside = await ProcessRunner.RunAsync(
                "docker",
                ["run", "--rm", "--read-only", "--entrypoint", "bash", tag, "-c",
                 "ls /app | grep '^libonnxruntime' ; echo \"provider=$Inference__ExecutionProvider\" ; ls /usr/share/dotnet/shared"],
                TimeSpan.FromMinutes(1));
            output.WriteLine(inside.Output);

            Assert.True(inside.Succeeded, inside.Output);
            Assert.Contains("libonnxruntime_providers_cuda.so", inside.Output, StringComparison.Ordinal);
            Assert.Contains("libonnxruntime_providers_shared.so", inside.Output, StringComparison.Ordinal);
            Assert.Contains("provider=cuda", inside.Output, StringComparison.Ordinal);
            Assert.Contains("Microsoft.AspNetCore.App", inside.Output, StringComparison.Ordinal);
        }
        finally
        {
            // Removing the tag removes the untagged stages under it too (about 3 GB).
            await ProcessRunner.RunAsync("docker", ["image", "rm", "-f", tag], TimeSpan.FromMinutes(1));
            Directory.Delete(ServiceImageFixture.StagingFolder("cuda"), recursive: true);
        }
    }
}
