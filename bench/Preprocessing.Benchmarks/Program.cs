using BenchmarkDotNet.Running;
using Inference.Preprocessing;
using Inference.Preprocessing.Benchmarks;

if (args.Length >= 3 && args[0] == "--write")
{
    PeakMemory.Write(args[1], args[2]);
    return;
}

if (args.Length >= 2 && args[0] == "--rss")
{
    var option = args.Length >= 3 ? args[2] : "";
    PeakMemory.Run(
        args[1],
        option == "fast" ? DecodeMode.Fast : DecodeMode.Exact,
        option switch { "imagesharp" => ImageDecoderKind.ImageSharp, "skia" => ImageDecoderKind.Skia, _ => ImageDecoderKind.Auto });
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PreprocessBenchmarks).Assembly).Run(args);
