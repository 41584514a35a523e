using Inference.Onnx.Graph;
using Inference.Onnx.Preparation;
using Inference.Onnx.Tests.Support;
using Inference.TestSupport;

namespace Inference.Onnx.Tests.Preparation;

/// <summary>The exposed embedding is the classifier's input: embedding · Wᵀ + b reproduces the logits.</summary>
public sealed class EmbeddingConsistencyTests
{
    [Theory]
    [InlineData(18)]
    [InlineData(50)]
    public void Embedding_TimesClassifierWeights_EqualsLogits(int depth)
    {
        var prepared = ModelPreparer.Prepare(TestModels.GetResNet(depth));
        var weight = OnnxTensors.ReadFloats(prepared.Model, prepared.ClassifierWeightName!, prepared.ModelDirectory);
        var bias = OnnxTensors.ReadFloats(prepared.Model, prepared.ClassifierBiasName!, prepared.ModelDirectory);
        var width = prepared.EmbeddingWidth!.Value;
        using var session = OrtRunner.CreateSession(prepared);

        for (var seed = 0; seed < 3; seed++)
        {
            const int Batch = 2;
            var outputs = OrtRunner.Run(
                session, prepared.InputName, OrtRunner.RandomImages(Batch, 224, 100 + seed), [Batch, 3, 224, 224],
                prepared.LogitsOutputName!, prepared.EmbeddingOutputName!);
            var logits = outputs[prepared.LogitsOutputName!].Values;
            var embedding = outputs[prepared.EmbeddingOutputName!].Values;

            for (var image = 0; image < Batch; image++)
            {
                for (var c = 0; c < bias.Length; c++)
                {
                    double sum = bias[c];
                    for (var k = 0; k < width; k++)
                    {
                        sum += embedding[(image * width) + k] * (double)weight[(c * width) + k];
                    }

                    var actual = logits[(image * bias.Length) + c];
                    Assert.True(
                        Math.Abs(sum - actual) <= 1e-4 * Math.Max(1, Math.Abs(sum)),
                        $"seed {seed}, image {image}, class {c}: embedding·Wᵀ+b = {sum}, logits = {actual}");
                }
            }
        }
    }
}
