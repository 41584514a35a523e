using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Inference.Engine.Configuration;
using Inference.Engine.Models;
using Inference.Preprocessing;
using Microsoft.Extensions.Logging;

namespace Inference.Engine.Quantization;

/// <summary>
/// <c>"precision": "int8"</c> with <c>"calibration": "&lt;folder&gt;"</c> in config.json: the FP32 model is quantized
/// when it loads and the result is cached beside it as <c>model.int8-&lt;key&gt;.onnx</c>. The key hashes the source
/// model (and preprocessGraph), every calibration image used (name and bytes), the preprocessing and the quantizer
/// settings, so a changed model, folder or setting quantizes again; a hit skips calibration. Older cache files of
/// the same model are removed when a new one is written.
/// </summary>
public static partial class LoadTimeQuantization
{
    /// <summary>Prefix of the cached files, beside the model (or in the version folder of demo weights).</summary>
    public const string CachePrefix = "model.int8-";

    /// <summary>Bump when the quantizer's output changes for the same inputs.</summary>
    private const string FormatVersion = "qdq-1";

    /// <summary>The file the engine should load for <paramref name="source"/>: <paramref name="modelPath"/>, or its cached INT8 form.</summary>
    /// <param name="modelPath">The FP32 model (the repository's model.onnx or the generated demo weights).</param>
    public static string Resolve(ModelSource source, string modelPath, int intraOpThreads, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(logger);
        if (source.Config is not { Precision: ModelConfig.Int8Precision, Calibration: { } folder })
        {
            return modelPath;
        }

        var settings = new QuantizationSettings
        {
            CalibrationFolder = folder,
            EmbeddingTensor = source.Config.EmbeddingTensor,
            PreprocessGraph = source.PreprocessGraphPath,
            IntraOpThreads = Math.Max(1, intraOpThreads),
        };
        var preprocessing = ModelQuantizer.PreprocessingFor(source.Config, source.PreprocessGraphPath is not null);
        var images = Calibrator.FindImages(folder, settings.MaxImages);
        var key = Key(modelPath, source.PreprocessGraphPath, images, settings, Describe(preprocessing));
        var cached = Path.Combine(source.Directory, CachePrefix + key + ".onnx");
        if (File.Exists(cached))
        {
            CacheHit(logger, source.Name, cached);
            return cached;
        }

        CacheMiss(logger, source.Name, images.Count, folder);
        var result = ModelQuantizer.Quantize(modelPath, preprocessing, settings);
        ModelQuantizer.Write(result.Model, cached);
        foreach (var stale in Directory.EnumerateFiles(source.Directory, CachePrefix + "*.onnx").Where(f => f != cached))
        {
            File.Delete(stale);
        }

        Quantized(
            logger, source.Name, result.Images, result.FoldedBatchNorms, result.QuantizedActivations, result.QuantizedWeights,
            result.CalibrationTime.TotalSeconds, cached);
        return cached;
    }

    /// <summary>16 hex digits of SHA-256 over everything the quantized model depends on.</summary>
    internal static string Key(
        string modelPath, string? preprocessGraph, IReadOnlyList<string> images, QuantizationSettings settings, string preprocessing)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Text(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        void FileBytes(string path)
        {
            using var stream = File.OpenRead(path);
            Text(Convert.ToHexString(SHA256.HashData(stream)));
        }

        Text(FormatVersion);
        FileBytes(modelPath);
        if (preprocessGraph is not null)
        {
            FileBytes(preprocessGraph);
        }

        Text(string.Create(
            CultureInfo.InvariantCulture,
            $"{settings.MaxImages}|{settings.Method}|{settings.Percentile}|{settings.ReduceRange}|{settings.PerChannel}|{settings.EmbeddingTensor}|{string.Join(',', settings.KeepFloat)}"));
        Text(preprocessing);
        foreach (var image in images)
        {
            Text(Path.GetFileName(image));
            FileBytes(image);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static string Describe(PreprocessingSpec p) => string.Create(
        CultureInfo.InvariantCulture,
        $"{p.InputHeight}x{p.InputWidth}|{p.ResizeSize}|{p.Resize}|{string.Join(',', p.Mean)}|{string.Join(',', p.Std)}|{p.PixelRange}|{p.ChannelOrder}|{p.ApplyExifOrientation}|{p.Mode}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: INT8 cache hit, loading {Path} (calibration skipped).")]
    private static partial void CacheHit(ILogger logger, string model, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: no INT8 cache for this model and calibration; calibrating over {Images} images of {Folder}.")]
    private static partial void CacheMiss(ILogger logger, string model, int images, string folder);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Model {Model}: quantized to INT8 over {Images} images ({Folded} BatchNormalizations folded, {Activations} activations, {Weights} weights); calibration {Seconds:F1} s; cached as {Path}.")]
    private static partial void Quantized(ILogger logger, string model, int images, int folded, int activations, int weights, double seconds, string path);
}
