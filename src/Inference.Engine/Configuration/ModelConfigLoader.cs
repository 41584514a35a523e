using System.Text.Json;

namespace Inference.Engine.Configuration;

/// <summary>Reads and validates a model's config.json.</summary>
public static class ModelConfigLoader
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The config at <paramref name="path"/>, or the defaults when <paramref name="path"/> is null.</summary>
    public static ModelConfig Load(string? path)
    {
        if (path is null)
        {
            return ModelConfig.Default;
        }

        ModelConfig? config;
        try
        {
            using var stream = File.OpenRead(path);
            config = JsonSerializer.Deserialize<ModelConfig>(stream, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelConfigException($"{path}: not valid JSON for a model config at {e.Path ?? "$"}: {e.Message}", e);
        }

        if (config is null)
        {
            throw new ModelConfigException($"{path}: the file holds null, not a model config object.");
        }

        Validate(config, path);
        return config.Calibration is { } calibration ? config with { Calibration = CalibrationFolder(calibration, path) } : config;
    }

    private static string CalibrationFolder(string folder, string configPath)
    {
        var full = Path.GetFullPath(folder, Path.GetDirectoryName(Path.GetFullPath(configPath))!);
        return Directory.Exists(full) ? full : throw Invalid(configPath, "calibration", $"names '{full}', which is not a folder");
    }

    public static void Validate(ModelConfig config, string origin)
    {
        if (config.Unknown is { Count: > 0 } unknown)
        {
            throw Invalid(origin, unknown.Keys.First(), "is not a known setting");
        }

        Require(config.InputSize is >= 8 and <= 4096, origin, "inputSize", "must be between 8 and 4096");
        Require(config.ResizeSize is >= 8 and <= 8192, origin, "resizeSize", "must be between 8 and 8192");
        Require(config.Mean is { Length: 3 } && config.Mean.All(float.IsFinite), origin, "mean", "must hold 3 finite numbers");
        Require(config.Std is { Length: 3 } && config.Std.All(s => s > 0 && float.IsFinite(s)), origin, "std", "must hold 3 positive numbers");
        Require(config.Layout is null or "NCHW" or "NHWC", origin, "layout", "must be \"NCHW\" or \"NHWC\"");
        Require(config.ChannelOrder is "RGB" or "BGR", origin, "channelOrder", "must be \"RGB\" or \"BGR\"");
        Require(config.PixelRange is 1f or 255f, origin, "pixelRange", "must be 1 or 255");
        Require(
            config.PreprocessGraph is null || (config.PreprocessGraph.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) &&
                Path.GetFileName(config.PreprocessGraph) == config.PreprocessGraph),
            origin,
            "preprocessGraph",
            "must be the name of an .onnx file beside the model (no folders)");
        Require(config.MaxBatchSize is >= 1 and <= 1024, origin, "maxBatchSize", "must be between 1 and 1024");
        Require(config.MaxQueueDelayMs is >= 0 and <= 10_000, origin, "maxQueueDelayMs", "must be between 0 and 10000");
        Require(config.QueueCapacity is >= 1 and <= 100_000, origin, "queueCapacity", "must be between 1 and 100000");
        Require(config.MaxQueueWaitMs is null or (>= 1 and <= 3_600_000), origin, "maxQueueWaitMs", "must be between 1 and 3600000");
        Require(config.Executors is null or >= 1 and <= 64, origin, "executors", "must be between 1 and 64");
        Require(
            config.DecodeMode is "exact" or "fast",
            origin,
            "decodeMode",
            "must be \"exact\" or \"fast\"");
        Require(
            config.Decoder is null or "skia" or "imagesharp" or "auto",
            origin,
            "decoder",
            "must be \"skia\", \"imagesharp\" or \"auto\"");
        Require(
            config.Precision is ModelConfig.Fp32Precision or ModelConfig.Int8Precision,
            origin,
            "precision",
            "must be \"fp32\" or \"int8\"");
        Require(
            config.Calibration is null || (config.Precision == ModelConfig.Int8Precision && config.Calibration.Trim().Length > 0),
            origin,
            "calibration",
            "needs \"precision\": \"int8\" and names a folder of calibration images");
        var calibrating = config.Calibration is not null;
        Require(
            config.CalibrationMethod is null || (calibrating && config.CalibrationMethod is ModelConfig.MinMaxCalibration or ModelConfig.PercentileCalibration),
            origin,
            "calibrationMethod",
            "must be \"minmax\" or \"percentile\", beside \"precision\": \"int8\" and \"calibration\"");
        Require(
            config.CalibrationPercentile is null || (config.CalibrationMethod == ModelConfig.PercentileCalibration && config.CalibrationPercentile is > 50 and <= 100),
            origin,
            "calibrationPercentile",
            "must be above 50 and at most 100, beside \"calibrationMethod\": \"percentile\"");
        Require(
            config.CalibrationImages is null || (calibrating && config.CalibrationImages is >= 1 and <= 100_000),
            origin,
            "calibrationImages",
            "must be between 1 and 100000, beside \"precision\": \"int8\" and \"calibration\"");
        Require(
            config.WeightBits is null || (calibrating && config.WeightBits is 7 or 8),
            origin,
            "weightBits",
            "must be 7 or 8, beside \"precision\": \"int8\" and \"calibration\"");
        Require(
            config.Architecture is null || ResNetArchitectures.TryGetDepth(config.Architecture, out _),
            origin,
            "architecture",
            "must be one of " + string.Join(", ", ResNetArchitectures.Names));
    }

    private static void Require(bool condition, string origin, string key, string rule)
    {
        if (!condition)
        {
            throw Invalid(origin, key, rule);
        }
    }

    private static ModelConfigException Invalid(string origin, string key, string rule) =>
        new($"{origin}: '{key}' {rule}.");
}
