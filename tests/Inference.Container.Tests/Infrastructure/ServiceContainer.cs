using DotNet.Testcontainers.Containers;

namespace Inference.Container.Tests.Infrastructure;

/// <summary>A running service container and the host addresses of its mapped ports.</summary>
public sealed class ServiceContainer(IContainer container, TimeSpan timeToReady) : IAsyncDisposable
{
    public const int RestPort = 8080;
    public const int GrpcPort = 8081;

    public IContainer Container { get; } = container;

    /// <summary>From the start request until <c>/health/ready</c> answered 200.</summary>
    public TimeSpan TimeToReady { get; } = timeToReady;

    public Uri RestAddress => new($"http://127.0.0.1:{Container.GetMappedPublicPort(RestPort)}");

    public Uri GrpcAddress => new($"http://127.0.0.1:{Container.GetMappedPublicPort(GrpcPort)}");

    public HttpClient CreateRestClient() => new() { BaseAddress = RestAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async Task<string> LogsAsync()
    {
        var (stdout, stderr) = await Container.GetLogsAsync(ct: CancellationToken.None);
        return stdout + stderr;
    }

    public async ValueTask DisposeAsync()
    {
        var id = Container.Id;
        await Container.DisposeAsync();

        // Without the Ryuk reaper, Testcontainers stops the container but leaves it behind, and a stopped
        // container keeps the run's image from being removed.
        await ProcessRunner.RunAsync("docker", ["rm", "-f", id], TimeSpan.FromMinutes(1));
    }
}
