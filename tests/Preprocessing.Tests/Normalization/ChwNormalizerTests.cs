using Inference.Preprocessing.Normalization;
using Inference.TestSupport;

namespace Inference.Preprocessing.Tests.Normalization;

public sealed unsafe class ChwNormalizerTests
{
    [Theory]
    [InlineData(224 * 224)]
    [InlineData(37)] // exercises the vector body and the scalar tail
    [InlineData(3)]
    public void Run_RandomPixels_EqualsFloat32Formula(int count)
    {
        var pixels = new uint[count];
        new Random(count).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(pixels.AsSpan()));
        var constants = ChannelConstants.From(PreprocessingSpec.ImageNet);
        var output = new float[3 * count];

        fixed (uint* p = pixels)
        fixed (float* o = output)
        {
            ChwNormalizer.Run(p, count, constants, o, o + count, o + (2 * count));
        }

        float[] mean = [0.485f, 0.456f, 0.406f];
        float[] std = [0.229f, 0.224f, 0.225f];
        for (var i = 0; i < count; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                var v = (float)((pixels[i] >> (8 * c)) & 0xFF);
                var expected = ((v / 255f) - mean[c]) / std[c];
                Assert.Equal(expected, output[(c * count) + i], 1e-6f);
            }
        }
    }

    [Fact]
    public void Run_EveryByteValue_WithinOneMillionthOfNumpyFloat32()
    {
        var pixels = Enumerable.Range(0, 256).Select(v => (uint)(v | (v << 8) | (v << 16))).ToArray();
        var output = new float[3 * 256];
        var constants = ChannelConstants.From(PreprocessingSpec.ImageNet);

        fixed (uint* p = pixels)
        fixed (float* o = output)
        {
            ChwNormalizer.Run(p, 256, constants, o, o + 256, o + 512);
        }

        float[] mean = [0.485f, 0.456f, 0.406f];
        float[] std = [0.229f, 0.224f, 0.225f];
        for (var c = 0; c < 3; c++)
        {
            for (var v = 0; v < 256; v++)
            {
                Assert.Equal(((v / 255f) - mean[c]) / std[c], output[(c * 256) + v], 1e-6f);
            }
        }
    }

    [Fact]
    public void Preprocess_WritesNormalisedCropAsChw()
    {
        var preprocessor = new ImagePreprocessor();
        var spec = PreprocessingSpec.ImageNet with { Mean = [0.5f, 0.25f, 0.125f], Std = [0.5f, 0.25f, 2f] };
        var png = TestImages.Png(300, 260);
        var crop = new byte[224 * 224 * 3];
        var tensor = new float[spec.TensorLength + 5];
        tensor.AsSpan(spec.TensorLength).Fill(42f);

        preprocessor.DecodeCrop(png, spec, crop);
        var result = preprocessor.Preprocess(png, spec, tensor);

        Assert.Equal((300, 260, "png"), (result.SourceWidth, result.SourceHeight, result.Format));
        const int Plane = 224 * 224;
        for (var i = 0; i < Plane; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                var expected = ((crop[(i * 3) + c] / 255f) - spec.Mean[c]) / spec.Std[c];
                Assert.Equal(expected, tensor[(c * Plane) + i], 1e-6f);
            }
        }

        Assert.All(tensor[spec.TensorLength..], v => Assert.Equal(42f, v));
    }

    [Fact]
    public void From_WrongChannelCount_Throws()
    {
        var spec = PreprocessingSpec.ImageNet with { Mean = [0.5f] };

        Assert.Throws<ArgumentException>(() => ChannelConstants.From(spec));
    }
}
