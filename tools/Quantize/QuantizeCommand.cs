using System.CommandLine;
using System.Globalization;
using Inference.Engine.Quantization;
using Inference.Onnx.Quantization;

namespace Inference.Tools.Quantize;

/// <summary>
/// <c>quantize --repository models --model resnet50 --calibration photos [--images 100] [--method minmax|percentile]
/// [--percentile 99.99] [--weight-bits 7|8] [--output resnet50-int8] [--threads 2]</c>: writes <c>&lt;repository&gt;/&lt;output&gt;/</c> with the
/// INT8 model and a config.json saying <c>"precision": "int8"</c>.
/// </summary>
internal static class QuantizeCommand
{
    public static RootCommand Create()
    {
        var repository = new Option<string>("--repository") { Description = "The model repository folder.", Required = true };
        var model = new Option<string>("--model") { Description = "The FP32 model to quantize (a folder of the repository).", Required = true };
        var calibration = new Option<string>("--calibration") { Description = "A folder of calibration images (its first N by file name).", Required = true };
        var images = new Option<int>("--images") { Description = "How many calibration images to use.", DefaultValueFactory = _ => 100 };
        var method = new Option<string>("--method") { Description = "Range per tensor: minmax or percentile.", DefaultValueFactory = _ => "minmax" };
        method.AcceptOnlyFromAmong("minmax", "percentile");
        var percentile = new Option<double>("--percentile") { Description = "With --method percentile: the percentile kept of each tail.", DefaultValueFactory = _ => 99.99 };
        var weightBits = new Option<int>("--weight-bits")
        {
            Description = "7 (default: no int16 saturation in ORT's U8S8 kernels on CPUs without VNNI) or 8 (full range, for VNNI CPUs).",
            DefaultValueFactory = _ => 7,
        };
        weightBits.AcceptOnlyFromAmong("7", "8");
        var output = new Option<string?>("--output") { Description = "The new model's name (default: <model>-int8)." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads for calibration.", DefaultValueFactory = _ => 2 };

        var command = new RootCommand("Calibrates a repository model over images and writes its static INT8 (QDQ) form as a new model.")
        {
            repository, model, calibration, images, method, percentile, weightBits, output, threads,
        };
        images.Validators.Add(r => AddErrorIf(r, r.GetValueOrDefault<int>() < 1, "--images must be at least 1."));
        threads.Validators.Add(r => AddErrorIf(r, r.GetValueOrDefault<int>() < 1, "--threads must be at least 1."));
        percentile.Validators.Add(r => AddErrorIf(r, r.GetValueOrDefault<double>() is not (> 50 and <= 100), "--percentile must be above 50 and at most 100."));
        command.SetAction(parse =>
        {
            var name = parse.GetValue(model)!;
            var settings = new QuantizationSettings
            {
                CalibrationFolder = parse.GetValue(calibration)!,
                MaxImages = parse.GetValue(images),
                Method = parse.GetValue(method) == "percentile" ? CalibrationMethod.Percentile : CalibrationMethod.MinMax,
                Percentile = parse.GetValue(percentile),
                IntraOpThreads = parse.GetValue(threads),
                ReduceRange = parse.GetValue(weightBits) == 7,
            };
            var total = Math.Min(settings.MaxImages, Calibrator.FindImages(settings.CalibrationFolder, settings.MaxImages).Count);
            var bar = new ProgressBar(total);
            var (result, path) = RepositoryQuantizer.Quantize(
                parse.GetValue(repository)!, name, parse.GetValue(output) ?? name + "-int8", settings, bar);
            bar.Finish();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name}: {result.Images} images, {result.QuantizedActivations} activations and {result.QuantizedWeights} weights quantized " +
                $"({settings.Method.ToString().ToLowerInvariant()}, {(settings.ReduceRange ? 7 : 8)}-bit weights, {result.FoldedBatchNorms} BatchNormalizations folded); calibration {result.CalibrationTime.TotalSeconds:F1} s, " +
                $"quantization {result.QuantizationTime.TotalSeconds:F1} s -> {path} ({new FileInfo(path).Length:N0} bytes)"));
            return 0;
        });
        return command;
    }

    private static void AddErrorIf(System.CommandLine.Parsing.OptionResult result, bool condition, string message)
    {
        if (condition)
        {
            result.AddError(message);
        }
    }

    /// <summary>A one-line bar on stderr, drawn only when stderr is a terminal.</summary>
    private sealed class ProgressBar(int total) : IProgress<int>
    {
        private readonly bool _enabled = !Console.IsErrorRedirected;

        public void Report(int value)
        {
            if (!_enabled)
            {
                return;
            }

            const int width = 40;
            var filled = total == 0 ? width : value * width / total;
            Console.Error.Write($"\rcalibrating [{new string('#', filled)}{new string('.', width - filled)}] {value}/{total}");
        }

        public void Finish()
        {
            if (_enabled)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
