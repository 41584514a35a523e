using System.Globalization;
using Inference.Engine.DependencyInjection;
using Inference.Engine.Inference;
using Inference.Engine.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Engine.Tests.Support;

/// <summary>A host-less engine built the way the service builds it, from an in-memory configuration.</summary>
internal sealed class TestEngine : IAsyncDisposable
{
    private TestEngine(ServiceProvider services)
    {
        Services = services;
    }

    public ServiceProvider Services { get; }

    public ModelManager Manager => Services.GetRequiredService<ModelManager>();

    public IInferenceEngine Engine => Services.GetRequiredService<IInferenceEngine>();

    public ComputeGate Gate => Services.GetRequiredService<ComputeGate>();

    public static IConfiguration Configuration(
        string repository, string demoWeightsCache, IReadOnlyList<string> models, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Inference:ModelRepository"] = repository,
            ["Inference:DemoWeightsCache"] = demoWeightsCache,
            ["Inference:ExecutionProvider"] = "cpu",
            ["Inference:IntraOpThreads"] = "1",

            // Admission by estimated wait depends on how fast this machine runs the model: tests about anything
            // else must not see a refusal because the machine is busy. Admission tests set their own budget.
            ["Inference:MaxQueueWait"] = "01:00:00",
        };
        for (var i = 0; i < models.Count; i++)
        {
            values["Inference:Models:" + i.ToString(CultureInfo.InvariantCulture)] = models[i];
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    public static TestEngine Create(
        string repository, string demoWeightsCache, IReadOnlyList<string> models, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var configuration = Configuration(repository, demoWeightsCache, models, settings);
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(configuration)
            .AddInferenceEngine(configuration)
            .BuildServiceProvider();
        return new TestEngine(services);
    }

    /// <summary>Loads the configured models (off the test thread); returns the names that failed.</summary>
    public Task<IReadOnlyList<string>> LoadAllAsync() => Task.Run(() => Manager.LoadAll(CancellationToken.None));

    /// <summary>Takes every turn of the CPU compute gate, so executors block before their forward pass.</summary>
    public ComputeHold HoldCompute() => new(Gate);

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
