using Google.Protobuf;
using Inference.Engine.Configuration;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Quantization;
using Inference.Engine.Tests.Support;
using Inference.Onnx.Protos;
using Microsoft.Extensions.Logging.Testing;

namespace Inference.Engine.Tests.Quantization;

public sealed class LoadTimeQuantizationTests(QuantizationFixture fixture) : IClassFixture<QuantizationFixture>
{
    [Fact]
    public void Resolve_SecondTime_HitsTheCacheWithoutCalibrating()
    {
        using var model = new TempDirectory("int8-load-");
        var source = Source(model, CopyCalibration(model));
        var first = new FakeLogger();
        var second = new FakeLogger();

        var path = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, first);
        var written = File.GetLastWriteTimeUtc(path);
        var again = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, second);

        Assert.Equal(model.Root, Path.GetDirectoryName(path));
        Assert.StartsWith(LoadTimeQuantization.CachePrefix, Path.GetFileName(path), StringComparison.Ordinal);
        Assert.Contains(first.Collector.GetSnapshot(), r => r.Message.Contains("calibrating over 6 images", StringComparison.Ordinal));
        Assert.Equal(path, again);
        Assert.Equal(written, File.GetLastWriteTimeUtc(again));
        var log = Assert.Single(second.Collector.GetSnapshot());
        Assert.Contains("cache hit", log.Message, StringComparison.Ordinal);
        Assert.Equal("int8", ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).MetadataProps.Single(p => p.Key == "inference.precision").Value);
    }

    [Fact]
    public void Resolve_CalibrationFolderOrModelChanged_QuantizesAgainAndDropsTheOldFile()
    {
        using var model = new TempDirectory("int8-load-");
        var calibration = CopyCalibration(model);
        var source = Source(model, calibration);
        var original = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, new FakeLogger());

        File.Copy(Path.Combine(calibration, "image00.jpg"), Path.Combine(calibration, "image99.jpg"));
        var afterFolder = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, new FakeLogger());
        var changed = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.ModelPath));
        changed.MetadataProps.Add(new StringStringEntryProto { Key = "edited", Value = "yes" });
        var changedPath = model.PathOf("changed.onnx");
        File.WriteAllBytes(changedPath, changed.ToByteArray());
        var afterModel = LoadTimeQuantization.Resolve(source, changedPath, 1, new FakeLogger());

        Assert.NotEqual(original, afterFolder);
        Assert.NotEqual(afterFolder, afterModel);
        Assert.Equal([afterModel], Directory.GetFiles(model.Root, LoadTimeQuantization.CachePrefix + "*"));
    }

    [Fact]
    public void Resolve_Fp32OrAlreadyInt8_ReturnsTheModelItself()
    {
        using var model = new TempDirectory("int8-load-");
        var fp32 = new ModelSource("m", "1", model.Root, fixture.ModelPath, [], ModelConfig.Default);
        var quantized = fp32 with { Config = ModelConfig.Default with { Precision = ModelConfig.Int8Precision } };

        Assert.Equal(fixture.ModelPath, LoadTimeQuantization.Resolve(fp32, fixture.ModelPath, 1, new FakeLogger()));
        Assert.Equal(fixture.ModelPath, LoadTimeQuantization.Resolve(quantized, fixture.ModelPath, 1, new FakeLogger()));
        Assert.Empty(Directory.GetFiles(model.Root));
    }

    [Fact]
    public async Task Load_Int8WithCalibration_ServesTheQuantizedModelCachedBesideIt()
    {
        using var repository = new TempDirectory();
        using var cache = new TempDirectory("engine-tests-cache-");
        var folder = TestRepository.AddDemoModel(repository, "demo", extraConfig: "\"precision\": \"int8\", \"calibration\": \"calibration\", \"demoSeed\": 0");
        CopyCalibration(repository, "demo", "calibration");

        await using var engine = TestEngine.Create(repository.Root, cache.Root, ["demo"]);
        Assert.Empty(await engine.LoadAllAsync());

        Assert.Equal("int8", engine.Manager.Find("demo")!.Precision);
        Assert.Single(Directory.GetFiles(folder, LoadTimeQuantization.CachePrefix + "*.onnx"));
        var served = await ResultCopy.Of(engine.Engine.InferImageAsync(
            "demo", Support.TestImages.Jpeg(3), InferenceRequestOptions.Default, TestContext.Current.CancellationToken));
        Assert.Equal(1000, served.Logits.Length);
        Assert.All(served.Logits, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData("\"calibration\": \"calibration\"", "needs \"precision\": \"int8\"")]
    [InlineData("\"precision\": \"int8\", \"calibration\": \"missing\"", "which is not a folder")]
    public void Load_BadCalibration_FailsNamingTheKey(string members, string reason)
    {
        using var repository = new TempDirectory();
        TestRepository.AddDemoModel(repository, "demo", extraConfig: members);
        Directory.CreateDirectory(repository.PathOf("demo", "calibration"));

        var error = Assert.Throws<ModelConfigException>(() => new ModelRepository(repository.Root).Resolve("demo"));

        Assert.Contains("'calibration'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    private ModelSource Source(TempDirectory model, string calibration) => new(
        "m", "1", model.Root, fixture.ModelPath, [], ModelConfig.Default with { Precision = ModelConfig.Int8Precision, Calibration = calibration });

    private string CopyCalibration(TempDirectory directory, params string[] under)
    {
        var target = Directory.CreateDirectory(directory.PathOf(under.Length == 0 ? ["calibration"] : under)).FullName;
        foreach (var image in Directory.GetFiles(fixture.CalibrationFolder, "*.jpg"))
        {
            File.Copy(image, Path.Combine(target, Path.GetFileName(image)));
        }

        return target;
    }
}
