using System.Diagnostics;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using Inference.TestSupport;

[assembly: AssemblyFixture(typeof(Inference.Container.Tests.Infrastructure.ServiceImageFixture))]

namespace Inference.Container.Tests.Infrastructure;

/// <summary>
/// Builds the service image from the repository's Dockerfile once per test run (target <c>runtime</c>,
/// base images from <see cref="DockerEnvironment"/>, NuGet packages staged by
/// <see cref="BuildContextStager"/>) and starts containers of it.
/// </summary>
/// <remarks>
/// Test runs may share one Docker engine (CI does) and one /tmp, so each run stages its own build context
/// and tags its own images, and tags the build stage too: an untagged stage is what another run's
/// <c>docker image prune</c> removes, and a build that was using it as cache then fails with "No such image".
/// </remarks>
public sealed class ServiceImageFixture : IAsyncLifetime
{
    /// <summary>Labels every image a run tags, so that leftovers of killed runs can be pruned by label.</summary>
    public const string BuildIdLabel = "inference.test-build-id";

    private static readonly string RunId = Guid.NewGuid().ToString("N")[..12];

    private static readonly string TestsRoot = Path.Combine(Path.GetTempPath(), "inference-container-tests");

    private static readonly string StagingRoot = Path.Combine(TestsRoot, "runs", RunId);

    /// <summary>This run's service image.</summary>
    public static string ImageName { get; } = $"inference-container-tests:{RunId}";

    /// <summary>This run's build stage: tagged so that a concurrent prune cannot take it from under the image build.</summary>
    private static string BuildStageName { get; } = $"inference-container-tests:{RunId}-build";

    /// <summary>Why the tests cannot run here (no Docker engine or base images; says how to enable them), or null.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Why the tests that talk to the service cannot run in this tree, or null.</summary>
    public string? ServiceMissingReason { get; private set; }

    public BaseImages? BaseImages { get; private set; }

    public TimeSpan BuildTime { get; private set; }

    /// <summary>A folder of this run's staging area for another build context (removed with the run's).</summary>
    public static string StagingFolder(string name) => Path.Combine(StagingRoot, name);

    /// <summary>The staged build context (repository files, offline NuGet feed and its NuGet.config), once built.</summary>
    public string? BuildContext { get; private set; }

    public static string RepositoryRoot => SharedData.RepositoryRoot;

    /// <summary>The model repository mounted read-only into each container.</summary>
    public static string ModelRepository => Path.Combine(RepositoryRoot, "models");

    /// <summary>A host folder for generated demo weights, shared by containers (written atomically, so runs share it too).</summary>
    public static string WeightsCache => Path.Combine(TestsRoot, "weights-cache");

    public async ValueTask InitializeAsync()
    {
        var (images, failure) = await DockerEnvironment.PrepareAsync(RepositoryRoot);
        if (images is null)
        {
            SkipReason = failure;
            return;
        }

        // Set before Testcontainers reads its settings. The Ryuk reaper image cannot be pulled here;
        // containers are removed by DisposeAsync instead. An older engine (Debian's docker.io 20.10
        // speaks API 1.41) needs the client pinned to its API version.
        Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        if (await DockerEnvironment.ServerApiVersionAsync() is { } api && api < new Version(1, 44)
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_API_VERSION")))
        {
            Environment.SetEnvironmentVariable("DOCKER_API_VERSION", api.ToString());
        }

        TestcontainersSettings.ResourceReaperEnabled = false;

        BaseImages = images;
        ServiceMissingReason = FindMissingServiceParts();
        Directory.CreateDirectory(WeightsCache);
        if (!OperatingSystem.IsWindows())
        {
            // The container's user (uid 1654) writes generated demo weights here.
            File.SetUnixFileMode(WeightsCache, (UnixFileMode)0b111_111_111);
        }

        var stopwatch = Stopwatch.StartNew();
        var context = await BuildContextStager.StageAsync(RepositoryRoot, StagingRoot);
        BuildContext = context;
        await BuildStageAsync(context, images);
        var buildFailure = await BuildServiceImageAsync(context, images);
        if (buildFailure is not null && ClassicDockerBuild.LostCachedImage(buildFailure))
        {
            Console.Error.WriteLine($"the engine lost a cached image mid-build; building {ImageName} again: {buildFailure}");
            buildFailure = await BuildServiceImageAsync(context, images);
        }

        if (buildFailure is not null)
        {
            throw new InvalidOperationException(
                $"docker build of {ImageName} failed ({buildFailure}); rebuild by hand to see why: " +
                $"DOCKER_BUILDKIT=0 docker build --target runtime --build-arg SDK_IMAGE={images.Sdk} " +
                $"--build-arg RUNTIME_IMAGE={images.Runtime} --build-arg RUN_TESTS=false {context}");
        }

        BuildTime = stopwatch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (BuildContext is null)
        {
            return;
        }

        // Untagging removes only what no other image (another run's included) still builds on.
        await ProcessRunner.RunAsync("docker", ["image", "rm", ImageName, BuildStageName], TimeSpan.FromMinutes(1));
        try
        {
            Directory.Delete(StagingRoot, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: .ci/docker-setup.sh clears stale run folders.
        }
    }

    /// <summary>Builds the runtime target through Testcontainers; returns why it failed, or null.</summary>
    private static async Task<string?> BuildServiceImageAsync(string context, BaseImages images)
    {
        var buildId = Guid.NewGuid().ToString("N");
        var image = new ImageFromDockerfileBuilder()
            .WithDockerfileDirectory(context)
            .WithDockerfile("Dockerfile")
            .WithName(ImageName)
            .WithTarget("runtime")
            .WithBuildArgument("SDK_IMAGE", images.Sdk)
            .WithBuildArgument("RUNTIME_IMAGE", images.Runtime)
            .WithBuildArgument("RUN_TESTS", "false")
            // Unused by the runtime target, but Testcontainers pulls every base image it finds in the
            // Dockerfile before a build: point the CUDA one at an image that is already here.
            .WithBuildArgument("CUDA_IMAGE", images.Runtime)
            // Always build: the engine's layer cache makes an unchanged tree a quick rebuild.
            .WithImageBuildPolicy(_ => true)
            .WithLabel(BuildIdLabel, buildId)
            .WithCleanUp(false)
            .Build();
        try
        {
            await image.CreateAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ex.Message;
        }

        // Testcontainers does not report every failed build: check that the tag is this build's image.
        var label = await ProcessRunner.RunAsync(
            "docker", ["image", "inspect", "--format", $"{{{{ index .Config.Labels \"{BuildIdLabel}\" }}}}", ImageName], TimeSpan.FromSeconds(30));
        return label.Output.Trim() == buildId ? null : "the tag is not this build's image";
    }

    /// <summary>Tags the build stage (all cache hits after the first build of a tree).</summary>
    private static async Task BuildStageAsync(string context, BaseImages images)
    {
        var build = await ClassicDockerBuild.RunAsync(
            context, "build", BuildStageName, images, Console.Error.WriteLine, "--label", $"{BuildIdLabel}={RunId}");
        if (!build.Succeeded)
        {
            Console.Error.WriteLine($"tagging the build stage failed; the image build builds it untagged:\n{build.Tail()}");
        }
    }

    /// <summary>Skips the calling test where no Docker engine or base images are here, saying how to enable them.</summary>
    public void SkipWithoutDocker() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? string.Empty);

    /// <summary>Skips the calling test where Docker is missing or the service is not in this tree yet.</summary>
    public void SkipWithoutService()
    {
        SkipWithoutDocker();
        Assert.SkipWhen(ServiceMissingReason is not null, ServiceMissingReason ?? string.Empty);
    }

    /// <summary>Starts a container: models mounted read-only, read-only root, tmpfs /tmp, writable cache.</summary>
    public static async Task<ServiceContainer> StartServiceAsync(
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var builder = new ContainerBuilder(ImageName)
            .WithImagePullPolicy(_ => false)
            .WithPortBinding(ServiceContainer.RestPort, assignRandomHostPort: true)
            .WithPortBinding(ServiceContainer.GrpcPort, assignRandomHostPort: true)
            .WithBindMount(ModelRepository, "/app/models", AccessMode.ReadOnly)
            .WithBindMount(WeightsCache, "/var/cache/inference", AccessMode.ReadWrite)
            .WithTmpfsMount("/tmp")
            .WithEnvironment("Inference__ShutdownTimeout", "00:00:15")
            .WithEnvironment(environment ?? new Dictionary<string, string>())
            .WithCreateParameterModifier(parameters => parameters.HostConfig!.ReadonlyRootfs = true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(
                request => request.ForPort(ServiceContainer.RestPort).ForPath("/health/ready"),
                strategy => strategy.WithTimeout(TimeSpan.FromMinutes(3)).WithInterval(TimeSpan.FromMilliseconds(250))))
            .WithCleanUp(true);
        var container = builder.Build();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await container.StartAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            var (stdout, stderr) = await container.GetLogsAsync(ct: CancellationToken.None);
            await container.DisposeAsync();
            throw new InvalidOperationException(
                $"the service container did not become ready: {ex.Message}\n--- logs ---\n{Tail(stdout + stderr)}", ex);
        }

        return new ServiceContainer(container, stopwatch.Elapsed);
    }

    private static string? FindMissingServiceParts()
    {
        string[] required = ["src/Inference.Api/appsettings.json", "models/resnet18/config.json", "models/resnet18/labels.txt"];
        var missing = required.Where(path => !File.Exists(Path.Combine(RepositoryRoot, path))).ToList();
        return missing.Count == 0
            ? null
            : $"The service contract is not in this tree yet (missing {string.Join(", ", missing)}); " +
              "these tests run against the REST API, health and metrics endpoints once it lands.";
    }

    private static string Tail(string text) =>
        string.Join('\n', text.Split('\n').TakeLast(40));
}
