using System.Diagnostics.Metrics;
using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Inference.Engine.Tests.Diagnostics;

[Collection(EngineCollection.Name)]
public sealed class EngineMetricsTests(EngineFixture fixture)
{
    private const int Requests = 3;

    [Fact]
    public async Task InferImageAsync_SequentialRequests_RecordBatchComputeQueueAndPreprocessPerModel()
    {
        var ct = TestContext.Current.CancellationToken;
        using var batchSize = Collector<int>("inference.batch.size");
        using var compute = Collector<double>("inference.compute.duration");
        using var queue = Collector<double>("inference.queue.duration");
        using var preprocess = Collector<double>("inference.preprocess.duration");

        for (var i = 0; i < Requests; i++)
        {
            using var result = await fixture.Host.Engine.InferImageAsync(EngineFixture.ModelName, TestImages.Jpeg(i), InferenceRequestOptions.Default, ct);
        }

        await batchSize.WaitForMeasurementsAsync(Requests, TimeSpan.FromSeconds(30));
        await compute.WaitForMeasurementsAsync(Requests, TimeSpan.FromSeconds(30));
        Assert.Equal([1, 1, 1], batchSize.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.All(batchSize.GetMeasurementSnapshot(), m => Assert.Equal(EngineFixture.ModelName, m.Tags["model"]));
        Assert.Equal(Requests, compute.GetMeasurementSnapshot().Count);
        Assert.All(compute.GetMeasurementSnapshot(), m =>
        {
            Assert.True(m.Value > 0);
            Assert.Equal(EngineFixture.ModelName, m.Tags["model"]);
        });
        Assert.Equal(Requests, queue.GetMeasurementSnapshot().Count);
        Assert.All(queue.GetMeasurementSnapshot(), m => Assert.True(m.Value >= 0));
        Assert.Equal(Requests, preprocess.GetMeasurementSnapshot().Count);
        Assert.All(preprocess.GetMeasurementSnapshot(), m => Assert.Equal(EngineFixture.ModelName, m.Tags["model"]));
    }

    [Fact]
    public void Gauges_LoadedEngine_ReportReadinessPerModel()
    {
        using var ready = Collector<int>("inference.model.ready");
        using var uptime = Collector<double>("inference.model.uptime");

        ready.RecordObservableInstruments();
        uptime.RecordObservableInstruments();

        var readiness = ready.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["model"]!, m => m.Value);
        Assert.Equal(1, readiness[EngineFixture.ModelName]);
        Assert.Equal(0, readiness[EngineFixture.BrokenModelName]);
        var up = Assert.Single(uptime.GetMeasurementSnapshot());
        Assert.Equal(EngineFixture.ModelName, up.Tags["model"]);
        Assert.True(up.Value >= 0);
    }

    private MetricCollector<T> Collector<T>(string instrument)
        where T : struct =>
        new(fixture.Host.Services.GetRequiredService<IMeterFactory>(), EngineMetrics.MeterName, instrument);
}
