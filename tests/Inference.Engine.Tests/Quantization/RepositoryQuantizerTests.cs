using System.Text.Json;
using Inference.Engine.Configuration;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Quantization;
using Inference.Engine.Tests.Support;

namespace Inference.Engine.Tests.Quantization;

public sealed class RepositoryQuantizerTests(QuantizationFixture fixture) : IClassFixture<QuantizationFixture>
{
    [Fact]
    public async Task Quantize_DemoModel_WritesAnInt8ModelFolderThatTheEngineServes()
    {
        using var repository = new TempDirectory();
        using var cache = new TempDirectory("engine-tests-cache-");
        TestRepository.AddDemoModel(repository, "demo", extraConfig: "\"maxBatchSize\": 2, \"demoSeed\": 0");
        var progress = new List<int>();

        var (result, path) = RepositoryQuantizer.Quantize(
            repository.Root, "demo", "demo-int8",
            new QuantizationSettings { CalibrationFolder = fixture.CalibrationFolder, MaxImages = 2, IntraOpThreads = 1 },
            new SynchronousProgress(progress.Add));

        Assert.Equal(repository.PathOf("demo-int8", "model.onnx"), path);
        Assert.Equal(2, result.Images);
        Assert.Equal([1, 2], progress);
        using (var config = JsonDocument.Parse(File.ReadAllText(repository.PathOf("demo-int8", "config.json"))))
        {
            Assert.Equal("int8", config.RootElement.GetProperty("precision").GetString());
            Assert.Equal(2, config.RootElement.GetProperty("maxBatchSize").GetInt32());
        }

        var source = new ModelRepository(repository.Root).Resolve("demo-int8");
        Assert.Equal(ModelConfig.Int8Precision, source.Config.Precision);
        Assert.Equal(path, source.ModelPath);
        Assert.Equal(1000, source.Labels.Count);

        await using var engine = TestEngine.Create(repository.Root, cache.Root, ["demo-int8"]);
        Assert.Empty(await engine.LoadAllAsync());
        Assert.Equal("int8", engine.Manager.Find("demo-int8")!.Precision);
        var served = await ResultCopy.Of(engine.Engine.InferImageAsync(
            "demo-int8", Support.TestImages.Jpeg(3), InferenceRequestOptions.Default, TestContext.Current.CancellationToken));
        Assert.Equal(1000, served.Logits.Length);
        Assert.Equal(512, served.Embedding.Length);
        Assert.All(served.Logits, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(served.Embedding, v => v != 0);
    }

    [Fact]
    public void Quantize_SourceQuantizedAtLoad_OutputConfigLeavesOutItsCalibrationKeys()
    {
        using var repository = new TempDirectory();
        TestRepository.AddDemoModel(
            repository,
            "demo",
            extraConfig: "\"Precision\": \"int8\", \"calibration\": \"calibration\", \"CalibrationMethod\": \"percentile\", " +
                "\"calibrationPercentile\": 99.9, \"calibrationImages\": 1, \"weightBits\": 8, \"demoSeed\": 0, \"maxBatchSize\": 2");
        Directory.CreateDirectory(repository.PathOf("demo", "calibration"));

        RepositoryQuantizer.Quantize(
            repository.Root, "demo", "demo-int8", new QuantizationSettings { CalibrationFolder = fixture.CalibrationFolder, MaxImages = 1, IntraOpThreads = 1 });

        using (var config = JsonDocument.Parse(File.ReadAllText(repository.PathOf("demo-int8", "config.json"))))
        {
            Assert.Equal(
                ["architecture", "demoSeed", "maxBatchSize", "precision"],
                config.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal("int8", config.RootElement.GetProperty("precision").GetString());
        }

        var source = new ModelRepository(repository.Root).Resolve("demo-int8");
        Assert.Equal(ModelConfig.Int8Precision, source.Config.Precision);
        Assert.Equal(
            (null, null, null, null, null),
            (source.Config.Calibration, source.Config.CalibrationMethod, source.Config.CalibrationPercentile, source.Config.CalibrationImages, source.Config.WeightBits));
    }

    [Fact]
    public void Quantize_OutputNamedAsTheSource_IsRefused()
    {
        using var repository = new TempDirectory();
        TestRepository.AddDemoModel(repository, "demo");

        var error = Assert.Throws<ModelConfigException>(() => RepositoryQuantizer.Quantize(
            repository.Root, "demo", "demo", new QuantizationSettings { CalibrationFolder = fixture.CalibrationFolder }));

        Assert.Contains("'demo'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownPrecision_FailsNamingTheKey()
    {
        using var repository = new TempDirectory();
        TestRepository.AddDemoModel(repository, "demo", extraConfig: "\"precision\": \"int4\"");

        var error = Assert.Throws<ModelConfigException>(() => new ModelRepository(repository.Root).Resolve("demo"));

        Assert.Contains("'precision'", error.Message, StringComparison.Ordinal);
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
