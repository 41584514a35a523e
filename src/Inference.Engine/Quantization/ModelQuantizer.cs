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

    /// <summary>config.json's <c>preprocessGraph</c> file: calibration runs it in front of the model (which is quantized alone).</summary>
    public string? PreprocessGraph { get; init; }

    /// <summary>Further tensors to keep in float (an operator fed by one is not quantized), e.g. the image input to keep the first Conv float.</summary>
    public IReadOnlyList<string> KeepFloat { get; init; } = [];

    /// <summary>
    /// 7-bit weights (<see cref="QdqQuantizer.ReducedWeightMax"/>), for CPUs without VNNI (see there). The default:
    /// on this project's AVX2-only machine, ML.NET's ResNet-18 featurizer gave a mean INT8/FP32 embedding cosine of
    /// 0.966 with 8-bit weights and 0.996 with 7-bit (bench/README.md, issue 15).
    /// </summary>
    public bool ReduceRange { get; init; } = true;

    /// <summary>One weight scale per output channel (the default) or one per tensor.</summary>
    public bool PerChannel { get; init; } = true;
}

/// <summary>The quantized model and what it took.</summary>
public sealed record QuantizationResult(
    ModelProto Model,
    int Images,
    int QuantizedActivations,
    int QuantizedWeights,
    TimeSpan CalibrationTime,
    TimeSpan QuantizationTime,
    IReadOnlyDictionary<string, TensorRange> Ranges)
{
    /// <summary>BatchNormalization nodes folded into their Conv before quantizing.</summary>
    public int FoldedBatchNorms { get; init; }
}

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
        var folded = BatchNormFolding.Fold(model, prepared.ModelDirectory);
        string[] keepFloat = [.. settings.KeepFloat, .. prepared.EmbeddingOutputName is { } embedding ? [embedding] : Array.Empty<string>()];
        var plan = QdqPlan.Create(model.Graph, keepFloat);
        var spec = preprocessing with
        {
            InputHeight = (int)(prepared.InputDimensions[2] ?? preprocessing.InputHeight),
            InputWidth = (int)(prepared.InputDimensions[3] ?? preprocessing.InputWidth),
        };

        var started = Stopwatch.GetTimestamp();
        var collector = new RangeCollector(settings.Method, settings.Percentile);
        var calibrated = Calibrator.Run(
            model, prepared.ModelDirectory, prepared.InputName, plan.Activations, images, spec, collector, settings.IntraOpThreads, settings.PreprocessGraph, progress);
        var ranges = collector.Ranges();
        var calibration = Stopwatch.GetElapsedTime(started);

        started = Stopwatch.GetTimestamp();
        var quantized = QdqQuantizer.Quantize(
            model, plan, ranges, prepared.ModelDirectory, settings.ReduceRange ? QdqQuantizer.ReducedWeightMax : 127, settings.PerChannel);
        return new QuantizationResult(
            quantized, calibrated, plan.Activations.Count, plan.Weights.Count, calibration, Stopwatch.GetElapsedTime(started), ranges)
        {
            FoldedBatchNorms = folded,
        };
    }

    /// <summary>The engine's preprocessing for a model with this config (as the model loader builds it).</summary>
    /// <param name="preprocessGraph">Whether a preprocessGraph takes the image (RGB 0-255, its own normalisation).</param>
    public static PreprocessingSpec PreprocessingFor(ModelConfig config, bool preprocessGraph = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new PreprocessingSpec
        {
            InputHeight = config.InputSize,
            InputWidth = config.InputSize,
            ResizeSize = config.ResizeSize,
            Mean = preprocessGraph ? [0f, 0f, 0f] : config.Mean,
            Std = preprocessGraph ? [1f, 1f, 1f] : config.Std,
            PixelRange = preprocessGraph ? 255f : config.PixelRange,
            ChannelOrder = !preprocessGraph && config.ChannelOrder == "BGR" ? ChannelOrder.Bgr : ChannelOrder.Rgb,
            ApplyExifOrientation = config.ApplyExifOrientation,
            Mode = config.DecodeMode == "fast" ? DecodeMode.Fast : DecodeMode.Exact,
        };
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    public static void Write(ModelProto model, string path) => OnnxFile.Write(model, path);
}
