using System.Text.Json.Serialization;

namespace Inference.Engine.Configuration;

/// <summary>
/// A model's optional <c>config.json</c>. Every field is optional; the defaults are torchvision's ImageNet ones.
/// </summary>
public sealed record ModelConfig
{
    public const string Fp32Precision = "fp32";

    public const string Int8Precision = "int8";

    public const string MinMaxCalibration = "minmax";

    public const string PercentileCalibration = "percentile";

    public static ModelConfig Default { get; } = new();

    /// <summary>"fp32", or "int8" for a model quantized by tools/Quantize (QDQ int8; embedding and logits stay float).</summary>
    public string Precision { get; init; } = Fp32Precision;

    /// <summary>
    /// With <c>"precision": "int8"</c>: a folder of calibration images (relative to config.json's folder; absolute once
    /// loaded). model.onnx is then FP32 and is quantized at load, the result cached beside it.
    /// </summary>
    public string? Calibration { get; init; }

    /// <summary>
    /// With <see cref="Calibration"/>: how each activation's range is taken, "minmax" (the default) or "percentile"
    /// (tools/Quantize's <c>--method</c>).
    /// </summary>
    public string? CalibrationMethod { get; init; }

    /// <summary>With <c>"calibrationMethod": "percentile"</c>: the percentile kept of each tail, above 50 and at most 100; null: 99.99.</summary>
    public double? CalibrationPercentile { get; init; }

    /// <summary>With <see cref="Calibration"/>: the first this many images of the folder, by file name; null: 100 (tools/Quantize's <c>--images</c>).</summary>
    public int? CalibrationImages { get; init; }

    /// <summary>
    /// With <see cref="Calibration"/>: 7 (the default: weights in [-63, 63], exact on every x64 CPU) or 8 (full range, for
    /// CPUs with VNNI; on AVX2 and AVX-512 without it the u8 x s8 pair sums saturate). tools/Quantize's <c>--weight-bits</c>.
    /// </summary>
    public int? WeightBits { get; init; }

    /// <summary>resnet18|resnet34|resnet50|resnet101|resnet152: which demo weights to generate when model.onnx is absent.</summary>
    public string? Architecture { get; init; }

    /// <summary>Seed of the generated demo weights.</summary>
    public ulong DemoSeed { get; init; } = 42;

    public int InputSize { get; init; } = 224;

    public int ResizeSize { get; init; } = 256;

    /// <summary>Per channel, in the model's channel order, on the <see cref="PixelRange"/> scale.</summary>
    public float[] Mean { get; init; } = [0.485f, 0.456f, 0.406f];

    /// <summary>Per channel, in the model's channel order, on the <see cref="PixelRange"/> scale.</summary>
    public float[] Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>"NCHW" or "NHWC"; null: detected from the input shape (NCHW when it does not tell).</summary>
    public string? Layout { get; init; }

    /// <summary>"RGB" (default) or "BGR".</summary>
    public string ChannelOrder { get; init; } = "RGB";

    /// <summary>The value of a full-intensity pixel before mean and std: 1 (torchvision) or 255 (Caffe, Keras).</summary>
    public float PixelRange { get; init; } = 1f;

    /// <summary>
    /// An ONNX file beside the model that takes the resized, cropped image as float RGB NCHW 0-255 [N, 3, H, W] and
    /// feeds the model; composed into the model's graph at load. When set, pixelRange, mean, std and channelOrder are not applied.
    /// </summary>
    public string? PreprocessGraph { get; init; }

    public bool ApplyExifOrientation { get; init; } = true;

    /// <summary>"exact" (torchvision) or "fast" (DCT-domain JPEG downscale first).</summary>
    public string DecodeMode { get; init; } = "exact";

    /// <summary>"skia", "imagesharp" or "auto"; null: the global <c>Inference:Decoder</c>.</summary>
    public string? Decoder { get; init; }

    public int MaxBatchSize { get; init; } = 8;

    public double MaxQueueDelayMs { get; init; } = 2;

    public int QueueCapacity { get; init; } = 64;

    /// <summary>
    /// The longest a request may be expected to wait in this model's queue and still be accepted (estimated as
    /// (queued + running requests) x recent drain time per image); null means <c>Inference:MaxQueueWait</c>.
    /// </summary>
    public double? MaxQueueWaitMs { get; init; }

    /// <summary>Concurrent batch runs; null means 1 on CPU and 2 on CUDA.</summary>
    public int? Executors { get; init; }

    /// <summary>Names the pooled-feature tensor instead of finding it in the graph.</summary>
    public string? EmbeddingTensor { get; init; }

    /// <summary>Which numeric version folders serve (Triton's version_policy); the default serves the highest.</summary>
    public VersionPolicy VersionPolicy { get; init; } = VersionPolicy.Default;

    /// <summary>Settings this service does not know: rejected so that typos do not pass silently.</summary>
    [JsonExtensionData]
    public IDictionary<string, object>? Unknown { get; init; }
}
