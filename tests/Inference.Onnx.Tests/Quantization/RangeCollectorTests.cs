using Inference.Onnx.Quantization;

namespace Inference.Onnx.Tests.Quantization;

public sealed class RangeCollectorTests
{
    [Fact]
    public void Ranges_MinMax_AreTheExtremesOverAllBatchesAndHoldZero()
    {
        var collector = new RangeCollector(CalibrationMethod.MinMax);
        collector.Add("a", [1f, 2f, 3f]);
        collector.Add("a", [0.5f, 7f]);
        collector.Add("b", [-4f, -1f]);

        var ranges = collector.Ranges();

        Assert.Equal(new TensorRange(0, 7), ranges["a"]);
        Assert.Equal(new TensorRange(-4, 0), ranges["b"]);
    }

    [Fact]
    public void Ranges_Percentile_ClipsARareOutlierButKeepsTheBulk()
    {
        var collector = new RangeCollector(CalibrationMethod.Percentile, 99.9);
        var values = Enumerable.Range(0, 100_000).Select(i => (i % 1000) / 1000f).ToArray();
        values[123] = 1000f;
        values[456] = -2f;
        collector.Add("x", values.AsSpan(0, 50_000));
        collector.Add("x", values.AsSpan(50_000));

        var range = collector.Ranges()["x"];

        Assert.InRange(range.Max, 0.99f, 1.01f);
        Assert.Equal(0, range.Min);
    }

    [Fact]
    public void Ranges_Percentile_SameValuesInSameOrder_GiveTheSameRange()
    {
        var random = new Random(5);
        var batches = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 5000).Select(_ => (float)((random.NextDouble() * 8) - 3)).ToArray()).ToList();

        TensorRange Collect()
        {
            var collector = new RangeCollector(CalibrationMethod.Percentile);
            foreach (var batch in batches)
            {
                collector.Add("t", batch);
            }

            return collector.Ranges()["t"];
        }

        Assert.Equal(Collect(), Collect());
    }

    [Fact]
    public void Add_NonFiniteValue_ThrowsNamingTheProblem()
    {
        var collector = new RangeCollector(CalibrationMethod.MinMax);

        var error = Assert.Throws<OnnxModelException>(() => collector.Add("t", [1f, float.NaN]));

        Assert.Contains("not finite", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(100.5)]
    public void Constructor_PercentileOutOfRange_Throws(double percentile) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RangeCollector(CalibrationMethod.Percentile, percentile));
}
