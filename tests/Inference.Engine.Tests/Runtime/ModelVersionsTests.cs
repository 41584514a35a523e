using System.Diagnostics.Metrics;
using Inference.Engine.Diagnostics;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Runtime;
using Inference.Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Inference.Engine.Tests.Runtime;

/// <summary>Versions in the engine: policy, routing, the swap that loses nothing, and a failed load.</summary>
public sealed class ModelVersionsTests
{
    [Fact]
    public async Task Apply_NewVersionWhileRequestsQueued_OldVersionAnswersWhatItAcceptedThenItsSessionIsDisposed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repository = new TempDirectory();
        TestRepository.AddDemoModel(repository, "m", extraConfig: "\"maxBatchSize\": 1");
        repository.Write(Path.Combine("m", "1", "config.json"), """{ "architecture": "resnet18", "maxBatchSize": 1 }""");
        await using var host = TestEngine.Create(repository.Root, SharedDemoWeights.CacheDirectory, ["m"]);
        using var loads = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), EngineMetrics.MeterName, "inference.model.loads");
        Assert.Empty(await host.LoadAllAsync());
        Assert.Equal(1, host.Manager.LiveSessions);

        Task<ResultCopy>[] accepted;
        Task applying;
        using (host.HoldCompute())
        {
            // Accepted by version 1 while the compute gate is held: queued, not yet run. The swap starts meanwhile
            // (its warm-up takes turns on the same gate, so it cannot finish before the hold ends).
            accepted = [.. Enumerable.Range(0, 3).Select(i => ResultCopy.Of(host.Engine.InferImageAsync("m", TestImages.Jpeg(i), InferenceRequestOptions.Default, ct)))];
            File.Copy(SharedDemoWeights.ResNet18Path, repository.PathOf("m", "2", "model.onnx").EnsureFolder());
            applying = Task.Run(() => host.Manager.Apply(["m"], ct), ct);
            Assert.All(accepted, task => Assert.False(task.IsCompleted));
        }

        await applying;
        Assert.Equal("2", host.Manager.GetServing("m").Descriptor.Version);
        Assert.Equal(["2"], host.Manager.Versions("m").Select(v => v.Version));

        var answers = await Task.WhenAll(accepted);
        Assert.All(answers, answer => Assert.Equal("1", answer.Version));
        await Eventually.True(() => host.Manager.LiveSessions == 1, "the retired version's session disposed", 120);
        Assert.True(host.Manager.AllReady);
        var fresh = await ResultCopy.Of(host.Engine.InferImageAsync("m", TestImages.Jpeg(5), InferenceRequestOptions.Default, ct));
        Assert.Equal("2", fresh.Version);
        await Eventually.True(() => loads.GetMeasurementSnapshot().Any(m => Equals(m.Tags["outcome"], LoadOutcomes.Unloaded)), "an unload counted", 120);
        Assert.Equal(2, loads.GetMeasurementSnapshot().Count(m => Equals(m.Tags["outcome"], LoadOutcomes.Loaded)));
    }

    [Fact]
    public async Task Apply_CorruptNewVersionAndSpecificPolicy_OldKeepsServingAndPinnedVersionsRoute()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repository = new TempDirectory();
        TestRepository.AddDemoModel(repository, "m", extraConfig: "\"versionPolicy\": \"all\"");
        repository.Write(Path.Combine("m", "1", "config.json"), """{ "architecture": "resnet18" }""");
        repository.Write(Path.Combine("m", "2", "config.json"), """{ "architecture": "resnet18" }""");
        await using var host = TestEngine.Create(repository.Root, SharedDemoWeights.CacheDirectory, ["m"]);
        Assert.Empty(await host.LoadAllAsync());
        Assert.Equal(["1", "2"], host.Manager.Versions("m").Select(v => v.Version));
        Assert.Equal(2, host.Manager.LiveSessions);

        var pinned = await ResultCopy.Of(host.Engine.InferImageAsync("m", TestImages.Jpeg(1), InferenceRequestOptions.Default with { Version = "1" }, ct));
        var highest = await ResultCopy.Of(host.Engine.InferImageAsync("m", TestImages.Jpeg(1), InferenceRequestOptions.Default, ct));
        Assert.Equal("1", pinned.Version);
        Assert.Equal("2", highest.Version);
        var missing = Assert.Throws<InferenceException>(() => host.Manager.GetServing("m", "7"));
        Assert.Equal(InferenceErrorCode.ModelNotFound, missing.Code);

        repository.Write(Path.Combine("m", "3", "model.onnx"), "not an onnx model");
        var failure = await Assert.ThrowsAsync<ModelControlException>(() => host.Manager.LoadAsync("m", ct));

        Assert.Equal(ModelControlError.LoadFailed, failure.Error);
        Assert.Contains("version 3", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(repository.Root, failure.Message, StringComparison.Ordinal);
        Assert.Equal(["1", "2"], host.Manager.Versions("m").Select(v => v.Version));
        Assert.True(host.Manager.AllReady);
        Assert.Contains(host.Manager.Index(readyOnly: false), e => e is { Version: "3", State: IndexStates.Unavailable });

        // A specific policy then drops version 1 (and the broken 3): only version 2 serves.
        repository.Write(Path.Combine("m", "config.json"), """{ "architecture": "resnet18", "versionPolicy": { "specific": [2] } }""");
        await host.Manager.LoadAsync("m", ct);
        Assert.Equal(["2"], host.Manager.Versions("m").Select(v => v.Version));
        await Eventually.True(() => host.Manager.LiveSessions == 1, "the retired version's session disposed", 120);
    }
}

internal static class PathExtensions
{
    /// <summary>Creates the folder of <paramref name="path"/>; returns the path.</summary>
    public static string EnsureFolder(this string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
