using BenchmarkDotNet.Attributes;

namespace Inference.Preprocessing.Benchmarks;

/// <summary>Decode + resize + crop + normalise of one JPEG on one thread, exact and fast mode.</summary>
[MemoryDiagnoser]
public class PreprocessBenchmarks
{
    private readonly ImagePreprocessor _preprocessor = new();
    private readonly float[] _tensor = new float[PreprocessingSpec.ImageNet.TensorLength];
    private readonly PreprocessingSpec _exact = PreprocessingSpec.ImageNet;
    private readonly PreprocessingSpec _fast = PreprocessingSpec.ImageNet with { Mode = DecodeMode.Fast };
    private byte[] _jpeg = [];

    [Params("500x375", "1920x1080", "4000x3000")]
    public string Size { get; set; } = "500x375";

    [GlobalSetup]
    public void Setup()
    {
        var parts = Size.Split('x');
        _jpeg = BenchImages.Jpeg(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Benchmark(Baseline = true)]
    public PreprocessResult Exact() => _preprocessor.Preprocess(_jpeg, _exact, _tensor);

    [Benchmark]
    public PreprocessResult Fast() => _preprocessor.Preprocess(_jpeg, _fast, _tensor);
}
