using System.Diagnostics.Metrics;
using Inference.Api.Observability;
using Inference.Api.Observability.Gpu;
using Inference.Api.Tests.Observability.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Inference.Api.Tests.Observability;

/// <summary>GPU gauges through a fake NVML reader: names and labels as scraped, sampling on the interval, and no series without NVML.</summary>
[Collection(OwnServiceTests.Name)]
public sealed class GpuMetricsTests
{
    private static readonly GpuSample[] Gpus =
    [
        new(0, "GPU-11111111-2222-3333-4444-555555555555", 0.42, 3L << 30, 80L << 30, 215.5),
        new(1, "GPU-66666666-7777-8888-9999-000000000000", 0, 1L << 20, 80L << 30, null),
    ];

    [Fact]
    public async Task Metrics_WithGpus_ExportUtilizationMemoryAndPowerPerGpu()
    {
        await using var factory = new ObservedServiceFactory(services => services.AddSingleton<IGpuReader>(new FakeGpuReader(Gpus)));
        factory.StartServer();
        using var client = factory.CreateClient();
        await Waits.UntilAsync(() => factory.Services.GetServices<IHostedService>().OfType<GpuMetrics>().Single().IsExporting, "the GPU gauges exist");

        var scraped = await PrometheusText.ScrapeAsync(client);

        (string, string)[] first = [("gpu", "0"), ("uuid", Gpus[0].Uuid)];
        (string, string)[] second = [("gpu", "1"), ("uuid", Gpus[1].Uuid)];
        Assert.Equal(0.42, scraped.Find("gpu_utilization_ratio", first)!.Value);
        Assert.Equal(0, scraped.Find("gpu_utilization_ratio", second)!.Value);
        Assert.Equal(3L << 30, scraped.Find("gpu_memory_used_bytes", first)!.Value);
        Assert.Equal(80L << 30, scraped.Find("gpu_memory_total_bytes", second)!.Value);
        Assert.Equal(215.5, scraped.Find("gpu_power_watts", first)!.Value);
        Assert.Null(scraped.Find("gpu_power_watts", second));
    }

    [Fact]
    public async Task Sampler_OnTheInterval_ReadsOncePerTickNotPerCollection()
    {
        var time = new FakeTimeProvider();
        var reader = new FakeGpuReader(Gpus);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var gpu = new GpuMetrics(reader, factory, Options(TimeSpan.FromSeconds(2)), time, NullLogger<GpuMetrics>.Instance);
        using var listener = Listen(factory, out var values);

        await gpu.StartAsync(TestContext.Current.CancellationToken);
        await Waits.UntilAsync(() => gpu.IsExporting, "the sampler opened NVML");
        listener.RecordObservableInstruments();
        listener.RecordObservableInstruments();
        Assert.Equal(1, reader.Reads);
        Assert.Equal(0.42, values["gpu.utilization.ratio/0"]);

        time.Advance(TimeSpan.FromSeconds(2));
        await Waits.UntilAsync(() => reader.Reads == 2, "the second tick reads");
        time.Advance(TimeSpan.FromSeconds(2));
        await Waits.UntilAsync(() => reader.Reads == 3, "the third tick reads");

        await gpu.StopAsync(TestContext.Current.CancellationToken);
        Assert.True(reader.Disposed);
    }

    [Fact]
    public async Task Sampler_WithoutNvml_LogsOnceAndCreatesNoInstrument()
    {
        var reader = new FakeGpuReader { Unavailable = "libnvidia-ml.so.1 could not be loaded (no NVIDIA driver)" };
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var logger = new RecordingLogger();
        using var gpu = new GpuMetrics(reader, factory, Options(TimeSpan.FromSeconds(2)), TimeProvider.System, logger);
        using var listener = Listen(factory, out var values);

        await gpu.StartAsync(TestContext.Current.CancellationToken);
        await gpu.ExecuteTask!;
        listener.RecordObservableInstruments();

        Assert.False(gpu.IsExporting);
        Assert.Empty(values);
        Assert.Equal(0, reader.Reads);
        var message = Assert.Single(logger.Messages);
        Assert.Contains("libnvidia-ml.so.1", message, StringComparison.Ordinal);
    }

    [Fact]
    public void NvmlReader_OnThisMachine_OpensOrSaysWhyNot()
    {
        using var reader = new NvmlGpuReader();
        if (reader.TryOpen(out var reason))
        {
            var samples = reader.Read();
            Assert.NotEmpty(samples);
            Assert.All(samples, s => Assert.InRange(s.Utilization, 0, 1));
            Assert.All(samples, s => Assert.InRange(s.MemoryUsedBytes, 0, s.MemoryTotalBytes));
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(reason));
        }
    }

    private static IOptions<ObservabilityOptions> Options(TimeSpan interval) =>
        Microsoft.Extensions.Options.Options.Create(new ObservabilityOptions { GpuSampleInterval = interval });

    private static MeterListener Listen(IMeterFactory factory, out Dictionary<string, double> values)
    {
        var seen = new Dictionary<string, double>();
        values = seen;
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GpuMetrics.MeterName && instrument.Meter.Scope == factory)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            lock (seen)
            {
                seen[$"{instrument.Name}/{tags.ToArray().Single(t => t.Key == "gpu").Value}"] = value;
            }
        });
        listener.Start();
        return listener;
    }

    private sealed class RecordingLogger : ILogger<GpuMetrics>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
