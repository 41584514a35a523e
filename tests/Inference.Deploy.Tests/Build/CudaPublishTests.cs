using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Inference.Deploy.Tests.Rendering;
using Inference.TestSupport;

namespace Inference.Deploy.Tests.Build;

/// <summary>
/// The GPU publish that the Dockerfile's <c>build-cuda</c> stage runs (<c>-p:UseCuda=true</c>, RID-specific,
/// framework-dependent), done for real into a temporary folder: its output must carry ONNX Runtime's CUDA provider.
/// Only the CUDA base image of the <c>cuda</c> stage is out of reach without a GPU machine; this needs the .NET SDK
/// and a NuGet source (or the package cache) that holds Microsoft.ML.OnnxRuntime.Gpu.
/// </summary>
/// <remarks>
/// No MSBuild node reuse and no shared compiler server: a server started from here would inherit the redirected
/// output pipes and keep them (and this test) open until it idles out. No analyzers: the tree's own build checks the
/// code; this one checks what the GPU publish carries. <c>--artifacts-path</c> keeps every obj/ and bin/ of this build inside the temporary folder, so the tree's own
/// CPU build (and test runs beside this one) never see the GPU restore.
/// </remarks>
public sealed class CudaPublishTests
{
    private const string Api = "src/Inference.Api/Inference.Api.csproj";
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task Publish_WithUseCuda_OutputCarriesCudaProviderOfTheCentralVersion()
    {
        var root = Path.Combine(Path.GetTempPath(), $"deploy-tests-cuda-{Guid.NewGuid():N}");
        var output = Path.Combine(root, "publish");
        try
        {
            var rid = RuntimeInformation.RuntimeIdentifier;
            var (exitCode, log) = await DotnetAsync(
                ["publish", Path.Combine(SharedData.RepositoryRoot, Api), "-c", "Release", "-r", rid, "--self-contained", "false",
                 "-p:UseCuda=true", "-p:UseAppHost=false", "--artifacts-path", Path.Combine(root, "artifacts"), "-o", output,
                 "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:RunAnalyzers=false"],
                TestContext.Current.CancellationToken);
            Assert.SkipWhen(
                exitCode != 0 && log.Contains("NU1301", StringComparison.Ordinal),
                "No NuGet source answers and Microsoft.ML.OnnxRuntime.Gpu is not in the package cache, so the GPU publish " +
                $"cannot restore here (NU1301). It runs where nuget.org or a mirror is reachable:\n{Tail(log)}");
            Assert.True(exitCode == 0, $"dotnet publish -p:UseCuda=true failed ({exitCode}):\n{Tail(log)}");

            string[] natives = ["libonnxruntime.so", "libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"];
            Assert.All(natives, name => Assert.True(File.Exists(Path.Combine(output, name)), $"{name} is not in the GPU publish output"));
            Assert.True(new FileInfo(Path.Combine(output, "libonnxruntime_providers_cuda.so")).Length > 50_000_000, "the CUDA provider is implausibly small");

            // The deps file names the GPU native package at the central version, and nothing of the CPU one.
            var version = CentralOnnxRuntimeVersion();
            var libraries = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, "Inference.Api.deps.json"), TestContext.Current.CancellationToken))!
                ["libraries"]!.AsObject().Select(l => l.Key).ToList();
            Assert.Contains($"Microsoft.ML.OnnxRuntime.Gpu.Linux/{version}", libraries);
            Assert.Contains($"Microsoft.ML.OnnxRuntime.Managed/{version}", libraries);
            Assert.DoesNotContain(libraries, l => l.StartsWith("Microsoft.ML.OnnxRuntime/", StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>OnnxRuntimeVersion of Directory.Packages.props: the one version both ONNX Runtime packages take.</summary>
    private static string CentralOnnxRuntimeVersion()
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(SharedData.RepositoryRoot, "Directory.Packages.props"));
        var version = props.Descendants("OnnxRuntimeVersion").Select(e => e.Value.Trim()).SingleOrDefault();
        Assert.False(string.IsNullOrEmpty(version), "Directory.Packages.props has no OnnxRuntimeVersion property");
        return version;
    }

    private static async Task<(int ExitCode, string Output)> DotnetAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(MsBuildEvaluation.Dotnet(arguments))!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(30));
}
