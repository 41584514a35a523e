using Google.Protobuf;
using Inference.Onnx.Preparation;
using Inference.Engine.Configuration;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Quantization;
using Inference.Engine.Tests.Support;
using Inference.Onnx.Protos;
using Inference.Onnx.Quantization;
using Microsoft.Extensions.Logging;
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

        var path = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, model.PathOf("cache"), first);
        var written = File.GetLastWriteTimeUtc(path);
        var again = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, model.PathOf("cache"), second);

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
        var original = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, model.PathOf("cache"), new FakeLogger());

        File.Copy(Path.Combine(calibration, "image00.jpg"), Path.Combine(calibration, "image99.jpg"));
        var afterFolder = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, model.PathOf("cache"), new FakeLogger());
        var changed = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.ModelPath));
        changed.MetadataProps.Add(new StringStringEntryProto { Key = "edited", Value = "yes" });
        var changedPath = model.PathOf("changed.onnx");
        File.WriteAllBytes(changedPath, changed.ToByteArray());
        var afterModel = LoadTimeQuantization.Resolve(source, changedPath, 1, model.PathOf("cache"), new FakeLogger());

        Assert.NotEqual(original, afterFolder);
        Assert.NotEqual(afterFolder, afterModel);
        Assert.Equal([afterModel], Directory.GetFiles(model.Root, LoadTimeQuantization.CachePrefix + "*"));
    }

    [Fact]
    public void Resolve_MethodOrImageCountChanged_QuantizesAgainBesideTheModelOnly()
    {
        using var model = new TempDirectory("int8-load-");
        var source = Source(model, CopyCalibration(model));
        var cache = model.PathOf("cache");
        var unrelated = model.Write(Path.Combine("cache", "m", "1", LoadTimeQuantization.CachePrefix + "0123456789abcdef.onnx"), "not this location's");
        var fewer = source with { Config = source.Config with { CalibrationImages = 3 } };
        var percentile = source with { Config = source.Config with { CalibrationMethod = ModelConfig.PercentileCalibration, CalibrationPercentile = 99.9 } };
        var logs = new FakeLogger();

        var minMax = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, cache, new FakeLogger());
        var minMaxBytes = File.ReadAllBytes(minMax);
        var three = LoadTimeQuantization.Resolve(fewer, fixture.ModelPath, 1, cache, logs);
        var byPercentile = LoadTimeQuantization.Resolve(percentile, fixture.ModelPath, 1, cache, new FakeLogger());

        Assert.Equal(3, new[] { minMax, three, byPercentile }.Distinct().Count());
        Assert.All(new[] { minMax, three, byPercentile }, p => Assert.Equal(model.Root, Path.GetDirectoryName(p)));
        Assert.Contains(logs.Collector.GetSnapshot(), r => r.Message.Contains("calibrating over 3 images", StringComparison.Ordinal));
        Assert.NotEqual(minMaxBytes, File.ReadAllBytes(byPercentile));
        Assert.Equal([byPercentile], Directory.GetFiles(model.Root, LoadTimeQuantization.CachePrefix + "*"));
        Assert.True(File.Exists(unrelated));
    }

    [Fact]
    public void Resolve_WeightBits8_QuantizesFullRangeWeightsUnderAnotherKey()
    {
        using var model = new TempDirectory("int8-load-");
        var source = Source(model, CopyCalibration(model));
        var full = source with { Config = source.Config with { WeightBits = 8 } };
        var seven = source with { Config = source.Config with { WeightBits = 7 } };

        var byDefault = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, model.PathOf("cache"), new FakeLogger());
        var largestByDefault = LargestWeight(byDefault);
        var sevenPath = LoadTimeQuantization.Resolve(seven, fixture.ModelPath, 1, model.PathOf("cache"), new FakeLogger());
        var fullPath = LoadTimeQuantization.Resolve(full, fixture.ModelPath, 1, model.PathOf("cache"), new FakeLogger());

        Assert.Equal(byDefault, sevenPath);
        Assert.NotEqual(byDefault, fullPath);
        Assert.Equal(QdqQuantizer.ReducedWeightMax, largestByDefault);
        Assert.Equal(127, LargestWeight(fullPath));
    }

    [Fact]
    public void Resolve_ModelFolderReadOnly_CachesInTheCacheDirectoryWithAWarning()
    {
        using var model = new TempDirectory("int8-load-");
        var source = ReadOnly(Source(model, CopyCalibration(model)), model);
        var cache = model.PathOf("cache");
        var stale = model.Write(Path.Combine("cache", "m", "1", LoadTimeQuantization.CachePrefix + "0123456789abcdef.onnx"), "an older key");
        var first = new FakeLogger();
        var second = new FakeLogger();

        var path = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, cache, first);
        var again = LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, cache, second);

        Assert.Equal(Path.Combine(cache, "m", "1"), Path.GetDirectoryName(path));
        var warning = Assert.Single(first.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains(source.Directory, warning.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(cache, "m", "1"), warning.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(stale));
        Assert.Equal(path, again);
        Assert.Contains("cache hit", Assert.Single(second.Collector.GetSnapshot()).Message, StringComparison.Ordinal);
        Assert.Equal("int8", ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).MetadataProps.Single(p => p.Key == "inference.precision").Value);
    }

    [Fact]
    public void Resolve_ReadOnlyFolderAndExternalData_CachedModelCarriesTheFloatWeights()
    {
        using var model = new TempDirectory("int8-load-");
        var source = ReadOnly(Source(model, CopyCalibration(model)), model);
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.ModelPath));
        var classifier = proto.Graph.Initializer.Single(t => t.Name == proto.Graph.Node.Last(n => n.OpType is "Gemm" or "MatMul").Input[1]);
        var weights = classifier.RawData.ToByteArray();
        Directory.CreateDirectory(model.PathOf("external"));
        File.WriteAllBytes(model.PathOf("external", "classifier.bin"), weights);
        classifier.RawData = ByteString.Empty;
        classifier.DataLocation = TensorProto.Types.DataLocation.External;
        classifier.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "classifier.bin" });
        File.WriteAllBytes(model.PathOf("external", "model.onnx"), proto.ToByteArray());

        var path = LoadTimeQuantization.Resolve(source, model.PathOf("external", "model.onnx"), 1, model.PathOf("cache"), new FakeLogger());

        var cached = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.DoesNotContain(cached.Graph.Initializer, t => t.DataLocation == TensorProto.Types.DataLocation.External);
        Assert.Equal(weights, cached.Graph.Initializer.Single(t => t.Name == classifier.Name).RawData.ToByteArray());
        Assert.Equal(1000, ModelPreparer.Prepare(path).LogitsWidth);
    }

    [Fact]
    public void Resolve_NeitherFolderWritable_FailsNamingBothBeforeCalibrating()
    {
        using var model = new TempDirectory("int8-load-");
        var source = ReadOnly(Source(model, CopyCalibration(model)), model);
        var cache = Path.Combine(source.Directory, "cache");
        var logs = new FakeLogger();

        var error = Assert.Throws<IOException>(() => LoadTimeQuantization.Resolve(source, fixture.ModelPath, 1, cache, logs));

        Assert.Contains($"'{source.Directory}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Inference:QuantizationCacheDirectory '{Path.Combine(cache, "m", "1")}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Collector.GetSnapshot(), r => r.Message.Contains("calibrating", StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_Fp32OrAlreadyInt8_ReturnsTheModelItself()
    {
        using var model = new TempDirectory("int8-load-");
        var fp32 = new ModelSource("m", "1", model.Root, fixture.ModelPath, [], ModelConfig.Default);
        var quantized = fp32 with { Config = ModelConfig.Default with { Precision = ModelConfig.Int8Precision } };

        Assert.Equal(fixture.ModelPath, LoadTimeQuantization.Resolve(fp32, fixture.ModelPath, 1, model.PathOf("cache"), new FakeLogger()));
        Assert.Equal(fixture.ModelPath, LoadTimeQuantization.Resolve(quantized, fixture.ModelPath, 1, model.PathOf("cache"), new FakeLogger()));
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

    /// <summary>The largest magnitude among the model's int8 initializers (the quantized weights).</summary>
    private static int LargestWeight(string path) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Initializer
        .Where(t => t.DataType == (int)TensorProto.Types.DataType.Int8)
        .SelectMany(t => t.RawData.ToByteArray())
        .Max(b => Math.Abs((int)(sbyte)b));

    /// <summary>
    /// <paramref name="source"/> in a folder nothing can be written to. Tests run as root, whom a chmod does not stop,
    /// so the folder lies under a regular file: it cannot be created, and a file in it cannot be either (ENOTDIR).
    /// </summary>
    private static ModelSource ReadOnly(ModelSource source, TempDirectory root) =>
        source with { Directory = Path.Combine(root.Write("read-only", "a file, not a folder"), "m") };

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
