using Inference.Onnx.Preparation;
using Inference.Onnx.Tests.Support;
using Inference.TestSupport;

namespace Inference.Onnx.Tests.ResNet;

/// <summary>Every built depth runs in ONNX Runtime with finite, informative outputs.</summary>
public sealed class ResNetInferenceTests
{
    [Theory]
    [InlineData(18, 512, 2)]
    [InlineData(34, 512, 2)]
    [InlineData(50, 2048, 2)]
    [InlineData(101, 2048, 1)]
    [InlineData(152, 2048, 2)]
    public void Run_BuiltModel_GivesFiniteVariedLogitsAndEmbedding(int depth, int embeddingWidth, int batch)
    {
        var prepared = ModelPreparer.Prepare(TestModels.GetResNet(depth));
        using var session = OrtRunner.CreateSession(prepared);

        var outputs = OrtRunner.Run(
            session,
            prepared.InputName,
            OrtRunner.RandomImages(batch, 224, seed: depth),
            [batch, 3, 224, 224],
            prepared.LogitsOutputName!,
            prepared.EmbeddingOutputName!);

        var (logits, logitsShape) = outputs[prepared.LogitsOutputName!];
        var (embedding, embeddingShape) = outputs[prepared.EmbeddingOutputName!];
        Assert.Equal([batch, 1000L], logitsShape);
        Assert.Equal([batch, (long)embeddingWidth], embeddingShape);
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
        Assert.All(embedding, v => Assert.True(float.IsFinite(v)));
        for (var image = 0; image < batch; image++)
        {
            var row = logits.AsSpan(image * 1000, 1000).ToArray();
            var spread = StandardDeviation(row);
            Assert.InRange(spread, 0.05, 50);
            Assert.InRange(row.Max(Math.Abs), 0.05, 500);
            Assert.True(embedding.AsSpan(image * embeddingWidth, embeddingWidth).ToArray().Count(v => v > 0) > embeddingWidth / 10);
        }

        if (batch > 1)
        {
            Assert.False(logits.AsSpan(0, 1000).SequenceEqual(logits.AsSpan(1000, 1000)));
        }
    }

    private static double StandardDeviation(float[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }
}
