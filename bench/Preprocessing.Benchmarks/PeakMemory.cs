using System.Diagnostics;

namespace Inference.Preprocessing.Benchmarks;

/// <summary>
/// <c>--write WxH file</c> writes a benchmark JPEG (a PNG when the file ends in .png); <c>--rss file [fast|imagesharp]</c>
/// then preprocesses it a few times in a fresh process and prints the peak RSS (so making the image does not count).
/// </summary>
public static class PeakMemory
{
    public static void Write(string size, string path)
    {
        File.WriteAllBytes(path, BenchImages.Make(size, path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? "png" : "jpeg"));
    }

    public static void Run(string path, DecodeMode mode, ImageDecoderKind decoder = ImageDecoderKind.Auto)
    {
        var jpeg = File.ReadAllBytes(path);
        var before = ReadPeakRss();
        var preprocessor = new ImagePreprocessor(ImageLimits.Default, decoder);
        var spec = PreprocessingSpec.ImageNet with { Mode = mode };
        var tensor = new float[spec.TensorLength];
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            preprocessor.Preprocess(jpeg, spec, tensor);
        }

        Console.WriteLine($"{Path.GetFileName(path)} ({jpeg.Length} bytes), {mode}, {decoder}: {watch.Elapsed.TotalMilliseconds / 5:F1} ms/image; " +
            $"peak RSS before {before / 1048576.0:F1} MiB, after {ReadPeakRss() / 1048576.0:F1} MiB");
    }

    /// <summary>VmHWM from /proc/self/status (the kernel's peak resident set), in bytes.</summary>
    private static long ReadPeakRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
