using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inference.Api.Tests.Support;

/// <summary>
/// The real service in-process, over a temporary model repository with one model, <c>test18</c>: a
/// ResNet-18 whose demo weights the service generates itself (cached per machine), with a small queue
/// (batch 2, capacity 3) so that queue-full and deadline paths can be driven deterministically; and
/// <c>wide18</c>, the same weights with the default batching (batch 8, capacity 64) for concurrency tests.
/// </summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    public const string Model = "test18";
    public const string WideModel = "wide18";
    public const int MaxImageBytes = 1024 * 1024;

    private readonly string _repository = Directory.CreateTempSubdirectory("inference-api-tests-").FullName;

    public ServiceFactory()
    {
        AddModel(Model, """{ "architecture": "resnet18", "maxBatchSize": 2, "queueCapacity": 3, "maxQueueDelayMs": 2 }""");
        AddModel(WideModel, """{ "architecture": "resnet18" }""");
    }

    public static string DemoWeightsCache { get; } = Path.Combine(Path.GetTempPath(), "inference-test-demo-weights");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Inference:ModelRepository", _repository);
        builder.UseSetting("Inference:Models:0", Model);
        builder.UseSetting("Inference:Models:1", WideModel);
        builder.UseSetting("Inference:ExecutionProvider", "cpu");
        builder.UseSetting("Inference:DemoWeightsCache", DemoWeightsCache);
        builder.UseSetting("Inference:MaxImageBytes", MaxImageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Inference:ShutdownTimeout", "00:00:05");
        // Admission by estimated wait depends on this machine's speed: these tests drive queue-full, deadline and
        // stream paths by queue size, so the queue budget must not refuse first. Overload tests set their own.
        builder.UseSetting("Inference:MaxQueueWait", "01:00:00");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
    }

    /// <summary>Waits until /health/ready answers 200 (model loaded and warmed up).</summary>
    public Task<HttpClient> CreateReadyClientAsync() => CreateReadyClientAsync(this);

    /// <summary>A client of <paramref name="factory"/> once its /health/ready answers 200 (at most 3 minutes).</summary>
    public static async Task<HttpClient> CreateReadyClientAsync(WebApplicationFactory<Program> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var client = factory.CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (true)
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return client;
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    private void AddModel(string name, string config)
    {
        var modelDirectory = Directory.CreateDirectory(Path.Combine(_repository, name)).FullName;
        File.WriteAllText(Path.Combine(modelDirectory, "config.json"), config);
        File.WriteAllLines(Path.Combine(modelDirectory, "labels.txt"), Enumerable.Range(0, 1000).Select(i => $"class {i}"));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_repository, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }
}
