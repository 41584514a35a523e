using Inference.Engine.Models;
using Inference.Engine.Postprocessing;

namespace Inference.Engine.Tests.Postprocessing;

public sealed class ClassificationTests
{
    private static readonly ModelDescriptor Model = new()
    {
        Name = "m",
        Version = "1",
        State = ModelState.Ready,
        Labels = ["zero", "one", "two", "three"],
    };

    [Fact]
    public void TopK_DistinctLogits_DescendingByProbability()
    {
        float[] logits = [0.5f, 3f, -1f, 2f, 1f];

        var top = Classification.TopK(logits, 3, Model);

        Assert.Equal([1, 3, 4], top.Select(p => p.Index));
        Assert.Equal(["one", "three", "4"], top.Select(p => p.Label));
        Assert.True(top[0].Probability > top[1].Probability && top[1].Probability > top[2].Probability);
    }

    [Fact]
    public void TopK_Ties_LowerIndexFirst()
    {
        float[] logits = [1f, 2f, 2f, 0f, 2f];

        var top = Classification.TopK(logits, 2, Model);

        Assert.Equal([1, 2], top.Select(p => p.Index));
        Assert.Equal(top[0].Probability, top[1].Probability);
    }

    [Fact]
    public void TopK_KLargerThanClasses_ClampsToEveryClass()
    {
        float[] logits = [0f, 1f, 2f];

        var top = Classification.TopK(logits, 10, Model);

        Assert.Equal([2, 1, 0], top.Select(p => p.Index));
    }

    [Fact]
    public void TopK_AllClasses_ProbabilitiesAreTheSoftmaxAndSumToOne()
    {
        float[] logits = [1f, 2f, 3f, 4f];
        var expected = logits.Select(l => Math.Exp(l)).ToArray();
        var total = expected.Sum();

        var top = Classification.TopK(logits, 4, Model);

        Assert.Equal(1.0, top.Sum(p => (double)p.Probability), 5);
        foreach (var prediction in top)
        {
            Assert.Equal(expected[prediction.Index] / total, prediction.Probability, 6);
        }
    }

    [Fact]
    public void TopK_HugeLogits_StaysFinite()
    {
        float[] logits = [1000f, 999f, -1000f];

        var top = Classification.TopK(logits, 3, Model);

        Assert.All(top, p => Assert.True(float.IsFinite(p.Probability)));
        Assert.Equal(1 / (1 + Math.Exp(-1)), top[0].Probability, 5);
    }

    [Fact]
    public void TopK_KBelowOne_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Classification.TopK([1f, 2f], 0, Model));

    [Fact]
    public void Softmax_Row_SumsToOne()
    {
        float[] logits = [-3f, 0f, 0.5f, 7f, 2f];
        var probabilities = new float[logits.Length];

        Classification.Softmax(logits, probabilities);

        Assert.Equal(1.0, probabilities.Sum(p => (double)p), 5);
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
    }

    [Theory]
    [InlineData(0, "zero")]
    [InlineData(3, "three")]
    [InlineData(4, "4")]
    [InlineData(-1, "-1")]
    public void LabelOf_Index_LabelOrIndexText(int index, string expected) => Assert.Equal(expected, Model.LabelOf(index));

    [Fact]
    public void L2Normalize_Vector_UnitNormSameDirection()
    {
        float[] vector = [3f, 4f, 0f, -12f];

        Classification.L2Normalize(vector);

        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 6);
        Assert.Equal([3f / 13, 4f / 13, 0f, -12f / 13], vector);
    }

    [Fact]
    public void L2Normalize_ZeroVector_StaysZero()
    {
        var vector = new float[8];

        Classification.L2Normalize(vector);

        Assert.All(vector, v => Assert.Equal(0f, v));
    }
}
