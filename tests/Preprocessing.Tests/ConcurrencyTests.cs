using Inference.TestSupport;

namespace Inference.Preprocessing.Tests;

public sealed class ConcurrencyTests
{
    [Theory]
    [InlineData(ImageDecoderKind.Auto)]
    [InlineData(ImageDecoderKind.ImageSharp)]
    public void Preprocess_ManyThreadsOneInstance_SameResultsAsSequential(ImageDecoderKind decoder)
    {
        var preprocessor = new ImagePreprocessor(ImageLimits.Default, decoder);
        var tiff = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", "rgb_lzw.tif"));
        var inputs = new[] { TestImages.Jpeg(500, 375), TestImages.Png(300, 400), TestImages.Jpeg(1200, 700, seed: 2), TestImages.Jpeg(64, 48), tiff };
        var spec = PreprocessingSpec.ImageNet;
        var expected = inputs.Select(bytes =>
        {
            var tensor = new float[spec.TensorLength];
            preprocessor.Preprocess(bytes, spec, tensor);
            return tensor;
        }).ToArray();

        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var tensor = new float[spec.TensorLength];
            preprocessor.Preprocess(inputs[i % inputs.Length], spec, tensor);
            Assert.Equal(expected[i % inputs.Length], tensor);
        });
    }
}
