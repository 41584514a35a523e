using BenchmarkDotNet.Attributes;
using Inference.Preprocessing.Normalization;

namespace Inference.Preprocessing.Benchmarks;

/// <summary>Normalisation of one 224x224 crop into CHW float32.</summary>
[MemoryDiagnoser]
public unsafe class NormalizeBenchmarks
{
    private const int Pixels = 224 * 224;
    private readonly uint[] _crop = new uint[Pixels];
    private readonly float[] _tensor = new float[3 * Pixels];
    private readonly ChannelConstants _constants = ChannelConstants.From(PreprocessingSpec.ImageNet);

    [GlobalSetup]
    public void Setup() => new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_crop.AsSpan()));

    [Benchmark]
    public void Normalize224()
    {
        fixed (uint* crop = _crop)
        fixed (float* tensor = _tensor)
        {
            ChwNormalizer.Run(crop, Pixels, _constants, tensor, tensor + Pixels, tensor + (2 * Pixels));
        }
    }
}
