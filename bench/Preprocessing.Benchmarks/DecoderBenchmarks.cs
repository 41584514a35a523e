using BenchmarkDotNet.Attributes;

namespace Inference.Preprocessing.Benchmarks;

/// <summary>
/// The two decoders behind the same exact resize, crop and normalisation, one image on one thread:
/// <c>--filter *DecoderBenchmarks*</c>. Peak RSS on 12 MP comes from <c>--rss</c> (see <see cref="PeakMemory"/>).
/// </summary>
[MemoryDiagnoser]
public class DecoderBenchmarks
{
    private readonly ImagePreprocessor _skia = new(ImageLimits.Default, ImageDecoderKind.Skia);
    private readonly ImagePreprocessor _imageSharp = new(ImageLimits.Default, ImageDecoderKind.ImageSharp);
    private readonly float[] _tensor = new float[PreprocessingSpec.ImageNet.TensorLength];
    private byte[] _image = [];

    [Params("500x375", "1920x1080", "4000x3000")]
    public string Size { get; set; } = "500x375";

    [Params("jpeg", "png")]
    public string Format { get; set; } = "jpeg";

    [GlobalSetup]
    public void Setup() => _image = BenchImages.Make(Size, Format);

    [Benchmark(Baseline = true)]
    public PreprocessResult Skia() => _skia.Preprocess(_image, PreprocessingSpec.ImageNet, _tensor);

    [Benchmark]
    public PreprocessResult ImageSharp() => _imageSharp.Preprocess(_image, PreprocessingSpec.ImageNet, _tensor);
}
