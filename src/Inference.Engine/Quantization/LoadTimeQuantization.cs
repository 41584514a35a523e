using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Inference.Engine.Configuration;
using Inference.Engine.Models;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;
using Inference.Onnx.Quantization;
using Inference.Preprocessing;
using Microsoft.Extensions.Logging;

namespace Inference.Engine.Quantization;

/// <summary>
/// <c>"precision": "int8"</c> with <c>"calibration": "&lt;folder&gt;"</c> in config.json: the FP32 model is quantized
/// when it loads and the result is cached as <c>model.int8-&lt;key&gt;.onnx</c>, beside the model or, where that folder
/// cannot be written (a read-only mount), in <c>Inference:QuantizationCacheDirectory/&lt;name&gt;/&lt;version&gt;/</c>. The key
/// hashes the source model (and preprocessGraph), every calibration image used (name and bytes), the preprocessing
/// and the quantizer settings (config.json's calibrationMethod, calibrationPercentile, calibrationImages), so a
/// changed model, folder or setting quantizes again; a hit in either place skips calibration. Older cache files of
/// the same model are removed from the folder a new one is written to, and only there.
/// </summary>
public static partial class LoadTimeQuantization
{
    /// <summary>Prefix of the cached files, beside the model (or in the version folder of demo weights).</summary>
    public const string CachePrefix = "model.int8-";

    /// <summary>Bump when the quantizer's output changes for the same inputs.</summary>
    private const string FormatVersion = "qdq-1";

    /// <summary>The file the engine should load for <paramref name="source"/>: <paramref name="modelPath"/>, or its cached INT8 form.</summary>
    /// <param name="modelPath">The FP32 model (the repository's model.onnx or the generated demo weights).</param>
    /// <param name="cacheDirectory">
    /// <c>Inference:QuantizationCacheDirectory</c>: where the cache goes when <paramref name="source"/>'s folder cannot be written.
    /// </param>
    /// <exception cref="IOException">Neither folder can be written; the message names both.</exception>
    public static string Resolve(ModelSource source, string modelPath, int intraOpThreads, string cacheDirectory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        ArgumentNullException.ThrowIfNull(logger);
        if (source.Config is not { Precision: ModelConfig.Int8Precision, Calibration: { } folder })
        {
            return modelPath;
        }

        var settings = SettingsFor(source.Config, folder, source.PreprocessGraphPath, intraOpThreads);
        var preprocessing = ModelQuantizer.PreprocessingFor(source.Config, source.PreprocessGraphPath is not null);
        var images = Calibrator.FindImages(folder, settings.MaxImages);
        var fileName = CachePrefix + Key(modelPath, source.PreprocessGraphPath, images, settings, Describe(preprocessing)) + ".onnx";
        var fallback = Path.Combine(Path.GetFullPath(cacheDirectory), source.Name, source.Version);
        foreach (var cached in new[] { source.Directory, fallback }.Select(d => Path.Combine(d, fileName)))
        {
            if (File.Exists(cached))
            {
                CacheHit(logger, source.Name, cached);
                return cached;
            }
        }

        // The folder is chosen before calibrating, which may take minutes, so that an unwritable pair fails at once.
        var directory = CacheDirectory(source, fallback, logger);
        CacheMiss(logger, source.Name, images.Count, folder);
        var result = ModelQuantizer.Quantize(modelPath, preprocessing, settings);
        if (Path.GetFullPath(directory) != Path.GetDirectoryName(Path.GetFullPath(modelPath)))
        {
            // Weights left in external data (initializers the quantizer keeps float, as the classifier's) name files
            // beside the source model, which the copy elsewhere would not find: it carries them itself.
            InlineExternalData(result.Model, Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        }

        var written = Path.Combine(directory, fileName);
        ModelQuantizer.Write(result.Model, written);
        foreach (var stale in Directory.EnumerateFiles(directory, CachePrefix + "*.onnx").Where(f => f != written))
        {
            File.Delete(stale);
        }

        Quantized(
            logger, source.Name, result.Images, result.FoldedBatchNorms, result.QuantizedActivations, result.QuantizedWeights,
            result.CalibrationTime.TotalSeconds, written);
        return written;
    }

    /// <summary>What config.json asks the quantizer for; the defaults are tools/Quantize's.</summary>
    private static QuantizationSettings SettingsFor(ModelConfig config, string calibrationFolder, string? preprocessGraph, int intraOpThreads)
    {
        var defaults = new QuantizationSettings { CalibrationFolder = calibrationFolder };
        return defaults with
        {
            EmbeddingTensor = config.EmbeddingTensor,
            PreprocessGraph = preprocessGraph,
            IntraOpThreads = Math.Max(1, intraOpThreads),
            Method = config.CalibrationMethod == ModelConfig.PercentileCalibration ? CalibrationMethod.Percentile : CalibrationMethod.MinMax,
            Percentile = config.CalibrationPercentile ?? defaults.Percentile,
            MaxImages = config.CalibrationImages ?? defaults.MaxImages,
            ReduceRange = config.WeightBits is null ? defaults.ReduceRange : config.WeightBits == 7,
        };
    }

    /// <summary>The model's folder if a file can be created there, else <paramref name="fallback"/> (with a warning).</summary>
    private static string CacheDirectory(ModelSource source, string fallback, ILogger logger)
    {
        var besideFailure = WriteFailure(source.Directory);
        if (besideFailure is null)
        {
            return source.Directory;
        }

        if (WriteFailure(fallback) is { } fallbackFailure)
        {
            throw new IOException(
                $"Model '{source.Name}': the INT8 model quantized at load can be cached neither beside it in '{source.Directory}' " +
                $"({besideFailure}) nor in Inference:QuantizationCacheDirectory '{fallback}' ({fallbackFailure}). Make one of them " +
                "writable, or quantize offline with tools/Quantize and serve its output.");
        }

        CachedElsewhere(logger, source.Name, source.Directory, besideFailure, fallback);
        return fallback;
    }

    /// <summary>Null when a file can be created (and is, then deleted) in <paramref name="directory"/>; else why not.</summary>
    private static string? WriteFailure(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            using (File.Create(Path.Combine(directory, $".{CachePrefix}{Guid.NewGuid():N}.probe"), 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    private static void InlineExternalData(ModelProto model, string modelDirectory)
    {
        foreach (var tensor in model.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            var reference = ExternalDataReference.Parse(tensor);
            using var stream = File.OpenRead(reference.ResolvePath(modelDirectory));
            stream.Position = reference.Offset;
            var bytes = new byte[reference.Length ?? (stream.Length - reference.Offset)];
            stream.ReadExactly(bytes);
            tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
            tensor.ExternalData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
        }
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
        Level = LogLevel.Warning,
        Message = "Model {Model}: the INT8 cache cannot be written beside the model in {ReadOnlyFolder} ({Reason}); caching it in Inference:QuantizationCacheDirectory, {Folder}, instead.")]
    private static partial void CachedElsewhere(ILogger logger, string model, string readOnlyFolder, string reason, string folder);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Model {Model}: quantized to INT8 over {Images} images ({Folded} BatchNormalizations folded, {Activations} activations, {Weights} weights); calibration {Seconds:F1} s; cached as {Path}.")]
    private static partial void Quantized(ILogger logger, string model, int images, int folded, int activations, int weights, double seconds, string path);
}
