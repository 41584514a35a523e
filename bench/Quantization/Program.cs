using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Inference.Bench.Quantization;
using Inference.Engine.Quantization;
using Inference.Onnx.ResNet;
using Inference.Preprocessing;

// dotnet run -c Release --project bench/Quantization -- [--depths 18,50,152] [--batches 1,8] [--seconds 3] [--rounds 3]
//   [--images 100] [--work /tmp/int8-bench] [--photos ../shared/fidelity]
// Model alone, FP32 vs INT8 (2 intra-op threads, ORT_ENABLE_ALL), measured back to back in alternating rounds.
//   or: -- --featurizer <Microsoft.ML.DnnImageFeaturizer.ResNet18's tools/DnnImageModels> [--images 32]: accuracy on real weights.
//   or: -- --synthetic <folder> [--images 32]: only write the synthetic calibration scenes (for rest-int8.sh).
var options = BenchOptions.Parse(args);
if (Array.IndexOf(args, "--synthetic") is var synthetic and >= 0 && synthetic + 1 < args.Length)
{
    Console.WriteLine(Inference.TestSupport.Quantization.SyntheticPhotos.Write(args[synthetic + 1], options.Images));
    return;
}

Directory.CreateDirectory(options.Work);
Console.WriteLine($"uptime before: {Machine.Uptime()}");
if (options.Featurizer is { } featurizer)
{
    FeaturizerAccuracy.Run(featurizer, options.Photos, options.Work, options.Images);
    Console.WriteLine($"uptime after: {Machine.Uptime()}");
    return;
}

var calibration = CalibrationImages.Prepare(Path.Combine(options.Work, "calibration"), options.Photos, options.Images);
var evaluation = CalibrationImages.Evaluation(options.Photos);
Console.WriteLine($"calibration: {options.Images} crops in {calibration}; evaluation: {evaluation.Count} images");
var inv = CultureInfo.InvariantCulture;
foreach (var depth in options.Depths)
{
    var fp32Path = Path.Combine(options.Work, $"resnet{depth}", "model.onnx");
    if (!File.Exists(fp32Path))
    {
        ResNetBuilder.Write(new ResNetSpec(depth), fp32Path);
    }

    var images = depth == 50 ? options.Images : Math.Min(options.Images, 20);
    var started = Stopwatch.GetTimestamp();
    var result = ModelQuantizer.Quantize(
        fp32Path, PreprocessingSpec.ImageNet, new QuantizationSettings { CalibrationFolder = calibration, MaxImages = images, IntraOpThreads = 2 });
    var total = Stopwatch.GetElapsedTime(started);
    var int8Bytes = result.Model.ToByteArray();
    Console.WriteLine(string.Create(inv,
        $"resnet{depth}: calibrate {result.Images} images {result.CalibrationTime.TotalSeconds:F1} s + quantize {result.QuantizationTime.TotalSeconds:F1} s (total with load {total.TotalSeconds:F1} s); " +
        $"fp32 {new FileInfo(fp32Path).Length / 1e6:F1} MB, int8 {int8Bytes.Length / 1e6:F1} MB"));
    Console.WriteLine($"resnet{depth} optimized int8 ops: {OptimizedGraph.Describe(OptimizedGraph.OpHistogram(int8Bytes))}");

    using var fp32 = new ModelRunner(File.ReadAllBytes(fp32Path), 2);
    using var int8 = new ModelRunner(int8Bytes, 2);
    var agreement = Agreement.Top1(fp32, int8, evaluation);
    Console.WriteLine(string.Create(inv, $"resnet{depth} top-1 agreement int8 vs fp32: {agreement.Agree}/{agreement.Total}, mean logit cosine {agreement.MeanCosine:F5}"));
    foreach (var batch in options.Batches)
    {
        var (f, q) = Speed.Compare(fp32, int8, batch, options.Seconds, options.Rounds);
        Console.WriteLine(string.Create(inv,
            $"| resnet{depth} | {batch} | {f:F1} | {q:F1} | {q / f:F2}x |"));
    }
}

Console.WriteLine($"uptime after: {Machine.Uptime()}");
