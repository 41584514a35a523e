using System.Globalization;
using System.Numerics.Tensors;
using Google.Protobuf;
using Inference.Engine.Configuration;
using Inference.Engine.Quantization;
using Inference.Onnx.Quantization;
using Inference.Preprocessing;
using Inference.TestSupport.Quantization;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Bench.Quantization;

/// <summary>
/// INT8 vs FP32 on real weights: ML.NET's ResNet-18 featurizer (ResNetPreprocess.onnx then ResNet18.onnx, each
/// in its own session), calibrated on <see cref="SyntheticPhotos"/>, evaluated on <c>images</c> and <c>variants</c>
/// of the fidelity set: mean and minimum embedding cosine, and whether each variant's nearest original is its source.
/// </summary>
internal static class FeaturizerAccuracy
{
    public static void Run(string packageModels, string photos, string work, int images)
    {
        var modelPath = Path.Combine(packageModels, "ResNet18Onnx", "ResNet18.onnx");
        var preprocessPath = Path.Combine(packageModels, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        var calibration = SyntheticPhotos.Write(Path.Combine(work, "synthetic"), images);
        var spec = ModelQuantizer.PreprocessingFor(ModelConfig.Default with { InputSize = 224, ResizeSize = 256 }, preprocessGraph: true);
        var evaluation = Load(photos, spec);
        Console.WriteLine($"featurizer: calibration {images} synthetic scenes in {calibration}; evaluation {evaluation.Count} images of {photos}");
        using var preprocess = Session(File.ReadAllBytes(preprocessPath));
        using var fp32 = Session(File.ReadAllBytes(modelPath));
        var reference = evaluation.Select(e => Embed(preprocess, fp32, e.Tensor)).ToList();

        var basis = new QuantizationSettings { CalibrationFolder = calibration, MaxImages = images, PreprocessGraph = preprocessPath };
        var full = basis with { ReduceRange = false };
        (string Label, QuantizationSettings Settings)[] variants =
        [
            ("minmax, 8-bit per-channel weights", full),
            ("minmax, 7-bit per-channel weights (default)", basis),
            ("percentile 99.99, 8-bit weights", full with { Method = CalibrationMethod.Percentile }),
            ("percentile 99.99, 7-bit weights", basis with { Method = CalibrationMethod.Percentile }),
            ("minmax, 8-bit per-tensor weights", full with { PerChannel = false }),
            ("minmax, 8-bit weights, first conv float", full with { KeepFloat = ["Input247"] }),
            ("minmax, 8-bit weights, last block float", full with { KeepFloat = ["ReLU379_Output_0", "ReLU385_Output_0"] }),
            ("minmax, 7-bit weights, first conv float", basis with { KeepFloat = ["Input247"] }),
        ];
        var inv = CultureInfo.InvariantCulture;
        var histogram = string.Empty;
        Console.WriteLine("| calibration / weights | mean cosine | min cosine (image) | variants retrieving their source |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (label, settings) in variants)
        {
            var result = ModelQuantizer.Quantize(modelPath, spec, settings);
            using var int8 = Session(result.Model.ToByteArray());
            var embeddings = evaluation.Select(e => Embed(preprocess, int8, e.Tensor)).ToList();
            var cosines = embeddings.Select((q, i) => (Name: evaluation[i].Name, Cosine: (double)TensorPrimitives.CosineSimilarity(q, reference[i]))).ToList();
            var worst = cosines.MinBy(c => c.Cosine);
            var originals = evaluation.Select((e, i) => (e.Name, Embedding: embeddings[i])).Where(e => !e.Name.StartsWith("variants/", StringComparison.Ordinal)).ToList();
            var retrieved = FidelityVariants.Sources.Count(v =>
            {
                var query = embeddings[evaluation.FindIndex(e => e.Name == "variants/" + v.Key)];
                return originals.MaxBy(o => TensorPrimitives.CosineSimilarity(query, o.Embedding)).Name == "images/" + v.Value;
            });
            Console.WriteLine(string.Create(inv,
                $"| {label} | {cosines.Average(c => c.Cosine):F5} | {worst.Cosine:F5} ({worst.Name}) | {retrieved}/{FidelityVariants.Sources.Count} |"));
            if (settings == basis)
            {
                histogram = $"default: {result.FoldedBatchNorms} BatchNormalizations folded; optimized int8 ops: " +
                            OptimizedGraph.Describe(OptimizedGraph.OpHistogram(result.Model.ToByteArray()));
            }
        }

        Console.WriteLine(histogram);
    }

    private static List<(string Name, float[] Tensor)> Load(string photos, PreprocessingSpec spec)
    {
        var preprocessor = new ImagePreprocessor();
        return [.. new[] { "images", "variants" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(photos, d)).Order(StringComparer.Ordinal).Select(f => (Folder: d, File: f)))
            .Select(p =>
            {
                var tensor = new float[spec.TensorLength];
                preprocessor.Preprocess(File.ReadAllBytes(p.File), spec, tensor);
                return (p.Folder + "/" + Path.GetFileName(p.File), tensor);
            })];
    }

    private static InferenceSession Session(byte[] model)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = 2,
            InterOpNumThreads = 1,
        };
        return new InferenceSession(model, options);
    }

    private static float[] Embed(InferenceSession preprocess, InferenceSession model, float[] image)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(image, [1, 3, 224, 224]);
        using var run = new RunOptions();
        using var prepared = preprocess.Run(run, [preprocess.InputNames[0]], [value], [preprocess.OutputNames[0]]);
        using var features = model.Run(run, [model.InputNames[0]], [prepared[0]], [model.OutputNames[0]]);
        return features[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
