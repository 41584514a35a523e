using Inference.Engine.Inference;
using Inference.Engine.Tests.Support;
using Inference.Onnx.Graph;
using Inference.Onnx.Preparation;

namespace Inference.Engine.Tests.Inference;

[Collection(EngineCollection.Name)]
public sealed class EmbeddingTests(EngineFixture fixture)
{
    [Fact]
    public async Task InferImageAsync_SeveralImages_EmbeddingTimesClassifierEqualsLogits()
    {
        var prepared = ModelPreparer.Prepare(SharedDemoWeights.ResNet18Path);
        Assert.NotNull(prepared.ClassifierWeightName);
        Assert.NotNull(prepared.ClassifierBiasName);
        var weight = OnnxTensors.ReadFloats(prepared.Model, prepared.ClassifierWeightName, prepared.ModelDirectory);
        var bias = OnnxTensors.ReadFloats(prepared.Model, prepared.ClassifierBiasName, prepared.ModelDirectory);
        Assert.Equal(1000 * 512, weight.Length);
        Assert.Equal(1000, bias.Length);

        var embeddings = new List<float[]>();
        for (var seed = 0; seed < 4; seed++)
        {
            var result = await ResultCopy.Of(fixture.Host.Engine.InferImageAsync(
                EngineFixture.ModelName, TestImages.Jpeg(seed), InferenceRequestOptions.Default, TestContext.Current.CancellationToken));

            Assert.Equal(512, result.Embedding.Length);
            Assert.True(FloatAssert.MaxAbs(result.Embedding) > 0, "the embedding is all zeros");
            var logits = Classify(result.Embedding, weight, bias, prepared.ClassifierWeightTransposed);
            FloatAssert.Close(result.Logits, logits, 1e-4, $"embedding · Wᵀ + b of image {seed}");
            embeddings.Add(result.Embedding);
        }

        Assert.True(FloatAssert.RelativeDifference(embeddings[0], embeddings[1]) > 1e-3, "two different images give the same embedding");
    }

    [Fact]
    public void Descriptor_DemoResNet18_NamesTheEmbeddingOutput()
    {
        var model = fixture.Host.Manager.Find(EngineFixture.ModelName);

        Assert.NotNull(model);
        Assert.Equal(512, model.EmbeddingDimension);
        Assert.NotNull(model.EmbeddingOutputName);
        Assert.Equal(1000, model.NumClasses);
        Assert.Equal([-1L, 3, 224, 224], model.InputShape);
        Assert.Equal(EngineFixture.MaxBatchSize, model.MaxBatchSize);
        Assert.Equal("CPU", model.ExecutionProvider);
        Assert.Equal(1000, model.Labels.Count);
        Assert.Equal("label-7", model.LabelOf(7));
    }

    /// <summary>The final Gemm in double precision: logits = e · Wᵀ + b (W stored [classes, width]) or e · W + b.</summary>
    private static float[] Classify(float[] embedding, float[] weight, float[] bias, bool transposed)
    {
        var classes = bias.Length;
        var width = embedding.Length;
        var logits = new float[classes];
        for (var c = 0; c < classes; c++)
        {
            double sum = bias[c];
            for (var i = 0; i < width; i++)
            {
                sum += (double)embedding[i] * (transposed ? weight[(c * width) + i] : weight[(i * classes) + c]);
            }

            logits[c] = (float)sum;
        }

        return logits;
    }
}
