using System.Text.Json;
using Inference.Container.Tests.Infrastructure;

namespace Inference.Container.Tests.Image;

/// <summary>What the built image declares: user, ports, health check, stop signal, no SDK.</summary>
[Trait("Category", "Container")]
public sealed class ImageConfigurationTests(ServiceImageFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Config_User_IsNumericNonRoot()
    {
        fixture.SkipWithoutDocker();
        var config = await InspectConfigAsync();

        var user = config.GetProperty("User").GetString();

        Assert.Equal("1654:1654", user);
    }

    [Fact]
    public async Task Config_Healthcheck_ProbesReadinessAndStopSignalIsSigterm()
    {
        fixture.SkipWithoutDocker();
        var config = await InspectConfigAsync();

        var test = string.Join(' ', config.GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(e => e.GetString()));

        Assert.Contains("/health/ready", test, StringComparison.Ordinal);
        Assert.Equal("SIGTERM", config.GetProperty("StopSignal").GetString());
    }

    [Fact]
    public async Task Config_ExposedPorts_AreRestAndGrpc()
    {
        fixture.SkipWithoutDocker();
        var config = await InspectConfigAsync();

        var ports = config.GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name).Order().ToList();

        Assert.Equal(["8080/tcp", "8081/tcp"], ports);
    }

    [Fact]
    public async Task Image_HasAspNetRuntimeAndNoSdk()
    {
        fixture.SkipWithoutDocker();

        var sdks = await RunInImageAsync("dotnet", "--list-sdks");
        var runtimes = await RunInImageAsync("dotnet", "--list-runtimes");
        var size = await ProcessRunner.RunAsync(
            "docker", ["image", "inspect", "--format", "{{.Size}}", ServiceImageFixture.ImageName], TimeSpan.FromSeconds(30));
        output.WriteLine($"image {ServiceImageFixture.ImageName} on {fixture.BaseImages}: {long.Parse(size.Output.Trim()) / 1e6:F0} MB, built in {fixture.BuildTime.TotalSeconds:F0} s");

        Assert.True(sdks.Succeeded, sdks.Output);
        Assert.Equal(string.Empty, sdks.Output.Trim());
        Assert.Contains("Microsoft.AspNetCore.App 10.", runtimes.Output, StringComparison.Ordinal);
        Assert.False((await RunInImageAsync("bash", "-c", "test -e /usr/share/dotnet/sdk")).Succeeded);
    }

    [Fact]
    public async Task ReadOnlyRoot_AppUser_WritesOnlyTmpAndWeightsCache()
    {
        fixture.SkipWithoutDocker();
        const string Script =
            "touch /tmp/ok && touch /var/cache/inference/ok && ! touch /app/nope 2>/dev/null && ! touch /nope 2>/dev/null && echo writable-only-where-expected";

        var result = await ProcessRunner.RunAsync(
            "docker",
            ["run", "--rm", "--read-only", "--tmpfs", "/tmp", "--tmpfs", "/var/cache/inference:uid=1654,gid=1654",
             "--entrypoint", "bash", ServiceImageFixture.ImageName, "-c", Script],
            TimeSpan.FromMinutes(1));

        Assert.True(result.Succeeded, result.Output);
        Assert.Contains("writable-only-where-expected", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_PublishedApp_IsInAppWithModelsFolder()
    {
        fixture.SkipWithoutDocker();

        var result = await RunInImageAsync("bash", "-c", "test -f /app/Inference.Api.dll && test -d /app/models && echo $Inference__ModelRepository $Inference__DemoWeightsCache");

        Assert.True(result.Succeeded, result.Output);
        Assert.Equal("/app/models /var/cache/inference", result.Output.Trim());
    }

    private static async Task<ProcessResult> RunInImageAsync(string entrypoint, params string[] arguments) =>
        await ProcessRunner.RunAsync(
            "docker", ["run", "--rm", "--read-only", "--entrypoint", entrypoint, ServiceImageFixture.ImageName, .. arguments],
            TimeSpan.FromMinutes(1));

    private static async Task<JsonElement> InspectConfigAsync()
    {
        var result = await ProcessRunner.RunAsync(
            "docker", ["image", "inspect", "--format", "{{json .Config}}", ServiceImageFixture.ImageName], TimeSpan.FromSeconds(30));
        Assert.True(result.Succeeded, result.Output);
        return JsonDocument.Parse(result.Output).RootElement.Clone();
    }
}
