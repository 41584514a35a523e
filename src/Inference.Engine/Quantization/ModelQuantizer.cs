using System.Diagnostics;
using Google.Protobuf;
using Inference.Engine.Configuration;
using Inference.Onnx.Graph;
using Inference.Onnx.Preparation;
using Inference.Onnx.Protos;
using Inference.Onnx.Quantization;
using Inference.Preprocessing;

namespace Inference.Engine.Quantization;

/// <summary>What to calibrate with and how.</summary>
public sealed record QuantizationSettings
{
    public required string CalibrationFolder { get; init; }

    /// <summary>The first this many images of the folder, by ordinal file name.</summary>
    public int MaxImages { get; init; } = 100;

    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    /// <summary>For <see cref="CalibrationMethod.Percentile"/>: the share of each tail kept, in percent.</summary>
    public double Percentile { get; init; } = 99.99;

    public int IntraOpThreads { get; init; } = 2;

    /// <summary>The pooled tensor kept in float (config.json's <c>embeddingTensor</c>); null: found in the graph.</summary>
    public string? EmbeddingTensor { get; init; }
}

/// <summary>The quantized model and what it took.</summary>
public sealed record QuantizationResult(
    ModelProto Model,
    int Images,
    int QuantizedActivations,
    int QuantizedWeights,
    TimeSpan CalibrationTime,
    TimeSpan QuantizationTime,
    IReadOnlyDictionary<string, TensorRange> Ranges);

/// <summary>Calibrates an FP32 ONNX image model and returns its QDQ int8 form (embedding and logits stay float).</summary>
public static class ModelQuantizer
{
    public static QuantizationResult Quantize(
        string modelPath, PreprocessingSpec preprocessing, QuantizationSettings settings, IProgress<int>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxImages, 1, nameof(settings.MaxImages));
        var images = Calibrator.FindImages(settings.CalibrationFolder, settings.MaxImages);
        var prepared = ModelPreparer.Prepare(modelPath, settings.EmbeddingTensor);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(prepared.ModelPath));
        string[] keepFloat = prepared.EmbeddingOutputName is { } embedding ? [embedding] : [];
        var plan = QdqPlan.Create(model.Graph, keepFloat);
        var spec = preprocessing with
        {
            InputHeight = (int)(prepared.InputDimensions[2] ?? preprocessing.InputHeight),
            InputWidth = (int)(prepared.InputDimensions[3] ?? preprocessing.InputWidth),
        };

        var started = Stopwatch.GetTimestamp();
        var collector = new RangeCollector(settings.Method, settings.Percentile);
        var calibrated = Calibrator.Run(
            model, prepared.ModelDirectory, prepared.InputName, plan.Activations, images, spec, collector, settings.IntraOpThreads, progress);
        var ranges = collector.Ranges();
        var calibration = Stopwatch.GetElapsedTime(started);

        started = Stopwatch.GetTimestamp();
        var quantized = QdqQuantizer.Quantize(model, plan, ranges, prepared.ModelDirectory);
        return new QuantizationResult(
            quantized, calibrated, plan.Activations.Count, plan.Weights.Count, calibration, Stopwatch.GetElapsedTime(started), ranges);
    }

    /// <summary>The engine's preprocessing for a model with this config (as the model loader builds it).</summary>
    public static PreprocessingSpec PreprocessingFor(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new PreprocessingSpec
        {
            InputHeight = config.InputSize,
            InputWidth = config.InputSize,
            ResizeSize = config.ResizeSize,
            Mean = config.Mean,
            Std = config.Std,
            ApplyExifOrientation = config.ApplyExifOrientation,
            Mode = config.DecodeMode == "fast" ? DecodeMode.Fast : DecodeMode.Exact,
        };
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    public static void Write(ModelProto model, string path) => OnnxFile.Write(model, path);
}
