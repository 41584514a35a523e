using System.Diagnostics.Metrics;
using Inference.Engine.Configuration;
using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Runtime;
using Inference.Engine.Tests.Support;
using Inference.Onnx;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Inference.Engine.Tests.Runtime;

/// <summary>
/// Readiness with <c>StopOnModelLoadFailure=false</c>, and what a failed load tells clients: one model loads, one
/// has a config.json typo, one has no folder at all.
/// </summary>
public sealed class ModelManagerTests(ModelManagerTests.PartlyLoaded fixture) : IClassFixture<ModelManagerTests.PartlyLoaded>
{
    private const string Good = "good";
    private const string Typo = "typo";
    private const string Absent = "absent";

    private TestEngine Host => fixture.Host;

    private IReadOnlyList<string> Failed => fixture.Failed;

    [Fact]
    public void AllReady_StopOnLoadFailureOffAndOneModelServes_ReadyWithTheFailedOnesReported()
    {
        Assert.Equal([Typo, Absent], Failed);
        Assert.True(Host.Manager.AllReady);
        Assert.Equal(
            [(Good, ModelState.Ready), (Typo, ModelState.Failed), (Absent, ModelState.Failed)],
            Host.Manager.List().Select(m => (m.Name, m.State)));
    }

    [Fact]
    public void Readiness_FailedModels_GaugeIsZeroForThemAndOneForTheServingModel()
    {
        using var ready = new MetricCollector<int>(
            Host.Services.GetRequiredService<IMeterFactory>(), EngineMetrics.MeterName, "inference.model.ready");

        ready.RecordObservableInstruments();

        var byModel = ready.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["model"]!, m => m.Value);
        Assert.Equal(new Dictionary<string, int> { [Good] = 1, [Typo] = 0, [Absent] = 0 }, byModel);
    }

    [Fact]
    public void Error_FailedLoads_ReasonNamesTheProblemWithoutPathsOrExceptionNames()
    {
        var typo = Host.Manager.Find(Typo)!.Error;
        var absent = Host.Manager.Find(Absent)!.Error;

        Assert.NotNull(typo);
        Assert.Contains("config.json", typo, StringComparison.Ordinal);
        Assert.Contains("'maxBatchSzie'", typo, StringComparison.Ordinal);
        Assert.NotNull(absent);
        Assert.Contains("'absent'", absent, StringComparison.Ordinal);
        foreach (var reason in new[] { typo, absent })
        {
            AssertClientSafe(reason);
        }
    }

    [Fact]
    public async Task InferImageAsync_FailedModel_ModelNotReadyWithTheSafeReason()
    {
        var error = await Assert.ThrowsAsync<InferenceException>(async () => await Host.Engine.InferImageAsync(
            Absent, TestImages.Jpeg(1), InferenceRequestOptions.Default, TestContext.Current.CancellationToken));

        Assert.Equal(InferenceErrorCode.ModelNotReady, error.Code);
        Assert.Contains("'absent' failed to load", error.Message, StringComparison.Ordinal);
        AssertClientSafe(error.Message);
    }

    [Fact]
    public void FailureReason_ServiceOwnMessage_KeepsItWithPathsCutToTheirLastSegment()
    {
        var reason = ModelManager.FailureReason(
            new ModelConfigException("/srv/models/resnet18/config.json: 'mean' must hold 3 finite numbers."));

        Assert.Equal("config.json: 'mean' must hold 3 finite numbers", reason);
    }

    [Fact]
    public void FailureReason_PathInsideTheModelsFolder_ShownFromTheModelsNameOn()
    {
        var reason = ModelManager.FailureReason(
            new OnnxModelException("Model '/srv/models/resnet50/3/model.onnx': output 'y' has shape [1, 512, 2, 2]."), "resnet50");

        Assert.Equal("Model 'resnet50/3/model.onnx': output 'y' has shape [1, 512, 2, 2]", reason);
        AssertClientSafe(reason);
    }

    [Theory]
    [InlineData("Input 'x' of /srv/models/r/model.onnx has shape [1, 1]; an NCHW image input [N, 3, H, W] is required.")]
    [InlineData("C:\\models\\r\\model.onnx: not a model")]
    public void FailureReason_OnnxModelException_NoAbsolutePath(string message) =>
        AssertClientSafe(ModelManager.FailureReason(new OnnxModelException(message)));

    [Theory]
    [MemberData(nameof(ForeignFailures))]
    public void FailureReason_AnyOtherException_OnlyItsKindNeverItsText(Exception exception)
    {
        var reason = ModelManager.FailureReason(exception);

        AssertClientSafe(reason);
        Assert.DoesNotContain("secret", reason, StringComparison.Ordinal);
        Assert.Contains("server log", reason, StringComparison.Ordinal);
    }

    public static TheoryData<Exception> ForeignFailures() =>
    [
        new InvalidOperationException("secret: CUDA failed loading /usr/lib/libcudnn.so.9"),
        new FileNotFoundException("secret /srv/models/r/model.onnx"),
        new IOException("secret /srv/models/r/model.onnx is locked"),
        new UnauthorizedAccessException("secret /srv/models/r"),
        new OutOfMemoryException("secret"),
    ];

    private static void AssertClientSafe(string text)
    {
        Assert.DoesNotMatch(@"(^|[\s'""(\[])/\w", text);
        Assert.DoesNotMatch(@"[A-Za-z]:\\", text);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath().TrimEnd('/'), text, StringComparison.Ordinal);
    }

    public sealed class PartlyLoaded : IAsyncLifetime
    {
        private readonly TempDirectory _repository = new();

        internal TestEngine Host { get; private set; } = null!;

        internal IReadOnlyList<string> Failed { get; private set; } = [];

        public async ValueTask InitializeAsync()
        {
            TestRepository.AddDemoModel(_repository, Good, extraConfig: "\"maxBatchSize\": 1");
            _repository.Write(Path.Combine(Typo, "config.json"), "{ \"architecture\": \"resnet18\", \"maxBatchSzie\": 4 }");
            Host = TestEngine.Create(
                _repository.Root, SharedDemoWeights.CacheDirectory, [Good, Typo, Absent],
                new Dictionary<string, string?> { ["Inference:StopOnModelLoadFailure"] = "false" });
            Failed = await Host.LoadAllAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            _repository.Dispose();
        }
    }
}
