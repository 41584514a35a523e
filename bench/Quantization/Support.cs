using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Inference.Preprocessing;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace Inference.Bench.Quantization;

internal sealed record BenchOptions(int[] Depths, int[] Batches, double Seconds, int Rounds, int Images, string Work, string Photos, string? Featurizer)
{
    public static BenchOptions Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        int[] Ints(string text) => [.. text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        return new BenchOptions(
            Ints(Get("--depths", "18,50,152")),
            Ints(Get("--batches", "1,8")),
            double.Parse(Get("--seconds", "3"), CultureInfo.InvariantCulture),
            int.Parse(Get("--rounds", "3"), CultureInfo.InvariantCulture),
            int.Parse(Get("--images", "100"), CultureInfo.InvariantCulture),
            Get("--work", Path.Combine(Path.GetTempPath(), "int8-bench")),
            Get("--photos", "../shared/fidelity"),
            Array.IndexOf(args, "--featurizer") >= 0 ? Get("--featurizer", "") : null);
    }
}

internal static class Machine
{
    public static string Uptime()
    {
        using var process = Process.Start(new ProcessStartInfo("uptime") { RedirectStandardOutput = true })!;
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return text;
    }
}

/// <summary>One session (ORT_ENABLE_ALL) and a preprocessed input.</summary>
internal sealed class ModelRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();

    public ModelRunner(byte[] model, int threads)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(model, options);
    }

    public float[] Run(float[] input, int batch)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, [batch, 3, 224, 224]);
        using var outputs = _session.Run(_run, ["input"], [value], ["logits"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }
}

internal static class Speed
{
    /// <summary>Images per second of each, median of alternating rounds (FP32 then INT8 each round).</summary>
    public static (double Fp32, double Int8) Compare(ModelRunner fp32, ModelRunner int8, int batch, double seconds, int rounds)
    {
        var input = new float[batch * 3 * 224 * 224];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)Math.Sin(i * 0.001);
        }

        fp32.Run(input, batch);
        int8.Run(input, batch);
        var f = new List<double>();
        var q = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            f.Add(Measure(fp32, input, batch, seconds));
            q.Add(Measure(int8, input, batch, seconds));
        }

        return (Median(f), Median(q));
    }

    private static double Measure(ModelRunner runner, float[] input, int batch, double seconds)
    {
        var stopwatch = Stopwatch.StartNew();
        var runs = 0;
        while (stopwatch.Elapsed.TotalSeconds < seconds || runs < 2)
        {
            runner.Run(input, batch);
            runs++;
        }

        return runs * batch / stopwatch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}

internal static class Agreement
{
    public static (int Agree, int Total, double MeanCosine) Top1(ModelRunner fp32, ModelRunner int8, IReadOnlyList<float[]> images)
    {
        var agree = 0;
        var cosine = 0.0;
        foreach (var image in images)
        {
            var a = fp32.Run(image, 1);
            var b = int8.Run(image, 1);
            agree += ArgMax(a) == ArgMax(b) ? 1 : 0;
            cosine += Cosine(a, b);
        }

        return (agree, images.Count, cosine / images.Count);
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());

    private static double Cosine(float[] a, float[] b) => TensorPrimitives.CosineSimilarity(a, b);
}

/// <summary>Calibration crops cut (seeded) from the photos of <c>images</c>; the evaluation set is the photos and their variants.</summary>
internal static class CalibrationImages
{
    public static string Prepare(string folder, string photos, int count)
    {
        Directory.CreateDirectory(folder);
        if (Directory.GetFiles(folder, "*.jpg").Length >= count)
        {
            return folder;
        }

        var sources = Directory.GetFiles(Path.Combine(photos, "images")).Order(StringComparer.Ordinal).ToArray();
        var random = new Random(2026);
        for (var i = 0; i < count; i++)
        {
            using var source = SKBitmap.Decode(sources[i % sources.Length]);
            var side = (int)(Math.Min(source.Width, source.Height) * (0.4 + (0.5 * random.NextDouble())));
            var x = random.Next(0, source.Width - side + 1);
            var y = random.Next(0, source.Height - side + 1);
            using var crop = new SKBitmap(side, side);
            source.ExtractSubset(crop, new SKRectI(x, y, x + side, y + side));
            using var data = crop.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(Path.Combine(folder, $"crop{i:D3}.jpg"), data.ToArray());
        }

        return folder;
    }

    public static IReadOnlyList<float[]> Evaluation(string photos)
    {
        var preprocessor = new ImagePreprocessor();
        var spec = PreprocessingSpec.ImageNet;
        return [.. new[] { "images", "variants" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(photos, d)).Order(StringComparer.Ordinal))
            .Select(f =>
            {
                var tensor = new float[spec.TensorLength];
                preprocessor.Preprocess(File.ReadAllBytes(f), spec, tensor);
                return tensor;
            })];
    }
}
