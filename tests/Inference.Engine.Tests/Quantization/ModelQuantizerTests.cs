using System.Numerics.Tensors;
using Google.Protobuf;
using Inference.Engine.Quantization;
using Inference.Onnx.Preparation;
using Inference.Onnx.Quantization;
using Inference.Onnx.ResNet;
using Inference.Preprocessing;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Tests.Quantization;

public sealed class ModelQuantizerTests(QuantizationFixture fixture) : IClassFixture<QuantizationFixture>
{
    [Fact]
    public void OpHistogram_OptimizedInt8Graph_ShowsFusedIntegerKernelsAndNoFloatConvReluOrAdd()
    {
        var histogram = OptimizedGraph.OpHistogram(fixture.Result.Model.ToByteArray());
        TestContext.Current.TestOutputHelper?.WriteLine(OptimizedGraph.Describe(histogram));

        // ORT_ENABLE_ALL turns QLinearConv into its NHWC com.microsoft form on CPU.
        Assert.Equal(20, histogram.GetValueOrDefault("QLinearConv") + histogram.GetValueOrDefault("com.microsoft:QLinearConv"));
        Assert.DoesNotContain(histogram.Keys, op => op.EndsWith("Conv", StringComparison.Ordinal) && !op.EndsWith("QLinearConv", StringComparison.Ordinal));
        Assert.Equal(8, histogram.GetValueOrDefault("com.microsoft:QLinearAdd"));
        Assert.DoesNotContain("Relu", histogram.Keys);
        Assert.DoesNotContain("Add", histogram.Keys);
        Assert.DoesNotContain("MaxPool", histogram.Keys);
        Assert.Equal(1, histogram.GetValueOrDefault("QuantizeLinear"));
    }

    [Fact]
    public void Quantize_ResNet18_StoresConvWeightsAsInt8BehindUsedDequantizeNodes()
    {
        var graph = fixture.Result.Model.Graph;
        var used = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);

        Assert.All(graph.Node, n => Assert.Contains(n.Output, used.Contains));
        Assert.Equal(20, graph.Initializer.Count(t => t.DataType == 3 && t.Name.EndsWith("_quantized", StringComparison.Ordinal)));
        Assert.DoesNotContain(graph.Initializer, t => t.Name == "conv1.weight");
        Assert.All(graph.Node.Where(n => n.OpType == "Conv"), n => Assert.EndsWith("_dequantized", n.Input[1], StringComparison.Ordinal));
        Assert.True(fixture.Result.Model.CalculateSize() < new FileInfo(fixture.ModelPath).Length / 3);
    }

    [Fact]
    public void Quantize_ResNet18_ServesFiniteLogitsAndEmbeddingOfTheRightShape()
    {
        var prepared = ModelPreparer.Prepare(fixture.QuantizedPath);
        Assert.Equal(ResNetBuilder.EmbeddingTensorName, prepared.EmbeddingOutputName);
        using var options = Options(GraphOptimizationLevel.ORT_ENABLE_ALL);
        foreach (var (key, entry) in prepared.SessionConfigEntries)
        {
            options.AddSessionConfigEntry(key, entry);
        }

        using var session = new InferenceSession(prepared.ModelBytes, options);
        var input = Images(2);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [2, 3, 224, 224]);
        using var outputs = session.Run(new RunOptions(), [prepared.InputName], [value], [prepared.LogitsOutputName, prepared.EmbeddingOutputName!]);

        Assert.Equal([2L, 1000], outputs[0].GetTensorTypeAndShape().Shape);
        Assert.Equal([2L, 512], outputs[1].GetTensorTypeAndShape().Shape);
        Assert.All(outputs[0].GetTensorDataAsSpan<float>().ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.All(outputs[1].GetTensorDataAsSpan<float>().ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.Contains(outputs[1].GetTensorDataAsSpan<float>().ToArray(), v => v != 0);
    }

    [Fact]
    public void Quantize_ResNet18_FusedAndUnoptimizedGraphsAgree()
    {
        var bytes = fixture.Result.Model.ToByteArray();
        var input = Images(2);
        var fused = Logits(bytes, input, GraphOptimizationLevel.ORT_ENABLE_ALL);
        var plain = Logits(bytes, input, GraphOptimizationLevel.ORT_DISABLE_ALL);
        var scale = plain.Max(Math.Abs);
        var worst = fused.Zip(plain, (a, b) => Math.Abs(a - b)).Max();
        TestContext.Current.TestOutputHelper?.WriteLine($"max |fused - unoptimized| = {worst} (max |logit| {scale}), cosine {Cosine(fused, plain)}");

        // The fused integer kernels requantize once per node where the float emulation rounds in float: measured
        // 0.23 on a largest logit of 3.9 (6%), cosine 0.9995, for ResNet-18 on two images.
        Assert.True(worst <= 0.1 * scale, $"max difference {worst} exceeds 10% of the largest logit {scale}");
        Assert.True(Cosine(fused, plain) > 0.998);
    }

    [Fact]
    public void Quantize_ResNet18_StaysCloseToFloat()
    {
        var input = Images(2);
        var int8 = Logits(fixture.Result.Model.ToByteArray(), input, GraphOptimizationLevel.ORT_ENABLE_ALL);
        var fp32 = Logits(File.ReadAllBytes(fixture.ModelPath), input, GraphOptimizationLevel.ORT_ENABLE_ALL);
        var cosine = Cosine(int8, fp32);
        TestContext.Current.TestOutputHelper?.WriteLine($"cosine int8 vs fp32 logits: {cosine}");
        Assert.True(cosine > 0.95, $"cosine {cosine}");
    }

    [Fact]
    public void Quantize_SameImagesTwice_GivesIdenticalRangesAndBytes()
    {
        var again = fixture.Quantize(CalibrationMethod.MinMax);

        Assert.Equal(QuantizationFixture.CalibrationImages, again.Images);
        Assert.Equal(fixture.Result.Ranges.OrderBy(p => p.Key, StringComparer.Ordinal), again.Ranges.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(fixture.Result.Model.ToByteArray(), again.Model.ToByteArray());
    }

    [Fact]
    public void Quantize_Percentile_ClipsInsideTheMinMaxRanges()
    {
        var percentile = fixture.Quantize(CalibrationMethod.Percentile);

        Assert.Equal(fixture.Result.Ranges.Keys.Order(StringComparer.Ordinal), percentile.Ranges.Keys.Order(StringComparer.Ordinal));
        foreach (var (tensor, range) in percentile.Ranges)
        {
            var full = fixture.Result.Ranges[tensor];
            Assert.InRange(range.Max, 0, full.Max);
            Assert.InRange(range.Min, full.Min, 0);
        }

        Assert.Contains(percentile.Ranges, p => p.Value.Max < fixture.Result.Ranges[p.Key].Max);
    }

    private float[] Images(int count)
    {
        var spec = PreprocessingSpec.ImageNet;
        var input = new float[count * spec.TensorLength];
        var preprocessor = new ImagePreprocessor();
        var files = Directory.GetFiles(fixture.CalibrationFolder, "*.jpg").Order(StringComparer.Ordinal).ToArray();
        for (var i = 0; i < count; i++)
        {
            preprocessor.Preprocess(File.ReadAllBytes(files[i]), spec, input.AsSpan(i * spec.TensorLength, spec.TensorLength));
        }

        return input;
    }

    private static float[] Logits(byte[] model, float[] input, GraphOptimizationLevel level)
    {
        using var session = new InferenceSession(model, Options(level));
        using var value = OrtValue.CreateTensorValueFromMemory(input, [input.Length / (3 * 224 * 224), 3, 224, 224]);
        using var outputs = session.Run(new RunOptions(), ["input"], [value], ["logits"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static SessionOptions Options(GraphOptimizationLevel level) =>
        new() { GraphOptimizationLevel = level, IntraOpNumThreads = 1 };

    private static double Cosine(float[] a, float[] b) => TensorPrimitives.CosineSimilarity(a, b);
}
