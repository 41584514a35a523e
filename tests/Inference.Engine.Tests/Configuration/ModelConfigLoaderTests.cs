using Inference.Engine.Configuration;
using Inference.Engine.Tests.Support;

namespace Inference.Engine.Tests.Configuration;

public sealed class ModelConfigLoaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public void Load_NullPath_ReturnsTorchvisionDefaults()
    {
        var config = ModelConfigLoader.Load(null);

        Assert.Same(ModelConfig.Default, config);
        Assert.Null(config.Architecture);
        Assert.Equal(224, config.InputSize);
        Assert.Equal(256, config.ResizeSize);
        Assert.Equal([0.485f, 0.456f, 0.406f], config.Mean);
        Assert.Equal([0.229f, 0.224f, 0.225f], config.Std);
        Assert.Equal("exact", config.DecodeMode);
        Assert.Equal(8, config.MaxBatchSize);
        Assert.Equal(64, config.QueueCapacity);
        Assert.Null(config.Executors);
    }

    [Fact]
    public void Load_EmptyObject_KeepsEveryDefault()
    {
        var config = ModelConfigLoader.Load(_directory.Write("config.json", "{}"));

        Assert.Equal(ModelConfig.Default.InputSize, config.InputSize);
        Assert.Equal(ModelConfig.Default.Mean, config.Mean);
        Assert.Equal(ModelConfig.Default.MaxQueueDelayMs, config.MaxQueueDelayMs);
        Assert.Equal(42UL, config.DemoSeed);
        Assert.True(config.ApplyExifOrientation);
    }

    [Fact]
    public void Load_KerasCaffeStyle_ReadsThePreprocessingKeys()
    {
        var config = ModelConfigLoader.Load(_directory.Write(
            "config.json",
            """{"layout":"NHWC","channelOrder":"BGR","pixelRange":255,"mean":[103.939,116.779,123.68],"std":[1,1,1],"preprocessGraph":"prep.onnx"}"""));

        Assert.Equal(("NHWC", "BGR", 255f, "prep.onnx"), (config.Layout, config.ChannelOrder, config.PixelRange, config.PreprocessGraph));
        Assert.Equal([103.939f, 116.779f, 123.68f], config.Mean);
        Assert.Equal((null, "RGB", 1f), (ModelConfig.Default.Layout, ModelConfig.Default.ChannelOrder, ModelConfig.Default.PixelRange));
    }

    [Fact]
    public void Load_CommentsAndTrailingCommas_ReadsTheValues()
    {
        var path = _directory.Write("config.json", """
            {
              // the demo model
              "architecture": "resnet50",
              /* a smaller batch */ "maxBatchSize": 4,
              "Mean": [0.5, 0.5, 0.5,],
              "decodeMode": "fast",
              "decoder": "imagesharp",
              "executors": 2,
            }
            """);

        var config = ModelConfigLoader.Load(path);

        Assert.Equal("resnet50", config.Architecture);
        Assert.Equal(4, config.MaxBatchSize);
        Assert.Equal([0.5f, 0.5f, 0.5f], config.Mean);
        Assert.Equal("fast", config.DecodeMode);
        Assert.Equal("imagesharp", config.Decoder);
        Assert.Equal(2, config.Executors);
        Assert.Null(config.Unknown);
    }

    [Fact]
    public void Load_CalibrationSettings_ReadsThem()
    {
        var config = ModelConfigLoader.Load(_directory.Write(
            "config.json",
            """{"precision":"int8","calibration":".","calibrationMethod":"percentile","calibrationPercentile":99.9,"calibrationImages":32,"weightBits":8}"""));

        Assert.Equal(_directory.Root, config.Calibration);
        Assert.Equal((ModelConfig.PercentileCalibration, 99.9, 32, 8), (config.CalibrationMethod, config.CalibrationPercentile, config.CalibrationImages, config.WeightBits));
        Assert.Equal(
            (null, null, null, null),
            (ModelConfig.Default.CalibrationMethod, ModelConfig.Default.CalibrationPercentile, ModelConfig.Default.CalibrationImages, ModelConfig.Default.WeightBits));
    }

    [Theory]
    [InlineData("""{ "maxBatchSzie": 4 }""", "maxBatchSzie")]
    [InlineData("""{ "mean": [0.5, 0.5] }""", "mean")]
    [InlineData("""{ "std": [0.2, 0, 0.2] }""", "std")]
    [InlineData("""{ "std": [0.2, -0.1, 0.2] }""", "std")]
    [InlineData("""{ "decodeMode": "slow" }""", "decodeMode")]
    [InlineData("""{ "decoder": "libjpeg" }""", "decoder")]
    [InlineData("""{ "architecture": "resnet19" }""", "architecture")]
    [InlineData("""{ "maxBatchSize": 0 }""", "maxBatchSize")]
    [InlineData("""{ "queueCapacity": -1 }""", "queueCapacity")]
    [InlineData("""{ "inputSize": 4 }""", "inputSize")]
    [InlineData("""{ "executors": 0 }""", "executors")]
    [InlineData("""{ "maxQueueWaitMs": 0 }""", "maxQueueWaitMs")]
    [InlineData("""{ "maxQueueWaitMs": 3600001 }""", "maxQueueWaitMs")]
    [InlineData("""{ "maxBatchSize": "eight" }""", "maxBatchSize")]
    [InlineData("""{ "layout": "CHW" }""", "layout")]
    [InlineData("""{ "channelOrder": "bgr" }""", "channelOrder")]
    [InlineData("""{ "pixelRange": 256 }""", "pixelRange")]
    [InlineData("""{ "preprocessGraph": "../prep.onnx" }""", "preprocessGraph")]
    [InlineData("""{ "preprocessGraph": "prep.txt" }""", "preprocessGraph")]
    [InlineData("""{ "precision": "int8", "calibration": ".", "calibrationMethod": "entropy" }""", "calibrationMethod")]
    [InlineData("""{ "precision": "int8", "calibrationMethod": "minmax" }""", "calibrationMethod")]
    [InlineData("""{ "precision": "int8", "calibration": ".", "calibrationMethod": "percentile", "calibrationPercentile": 50 }""", "calibrationPercentile")]
    [InlineData("""{ "precision": "int8", "calibration": ".", "calibrationMethod": "percentile", "calibrationPercentile": 100.01 }""", "calibrationPercentile")]
    [InlineData("""{ "precision": "int8", "calibration": ".", "calibrationPercentile": 99.9 }""", "calibrationPercentile")]
    [InlineData("""{ "precision": "int8", "calibration": ".", "calibrationImages": 0 }""", "calibrationImages")]
    [InlineData("""{ "calibrationImages": 10 }""", "calibrationImages")]
    [InlineData("""{ "precision": "int8", "calibration": ".", "calibrationImages": "many" }""", "calibrationImages")]
    [InlineData("""{ "precision": "int8", "calibration": ".", "weightBits": 4 }""", "weightBits")]
    [InlineData("""{ "precision": "int8", "weightBits": 8 }""", "weightBits")]
    public void Load_BadSetting_ThrowsNamingFileAndKey(string json, string key)
    {
        var path = _directory.Write("config.json", json);

        var error = Assert.Throws<ModelConfigException>(() => ModelConfigLoader.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"maxBatchSize\": 4")]
    [InlineData("not json")]
    [InlineData("null")]
    public void Load_NotAConfigObject_ThrowsNamingFile(string json)
    {
        var path = _directory.Write("config.json", json);

        var error = Assert.Throws<ModelConfigException>(() => ModelConfigLoader.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ArchitectureAnyCase_IsAccepted()
    {
        ModelConfigLoader.Validate(new ModelConfig { Architecture = "ResNet101" }, "test");

        Assert.True(ResNetArchitectures.TryGetDepth("ResNet101", out var depth));
        Assert.Equal(101, depth);
    }

    public void Dispose() => _directory.Dispose();
}
