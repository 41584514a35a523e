namespace Inference.Engine.Tests.Support;

internal static class FloatAssert
{
    /// <summary>
    /// Every element of <paramref name="actual"/> within <paramref name="relative"/> × max|expected| of
    /// <paramref name="expected"/>.
    /// </summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Length > 0, $"{what}: no values to compare.");
        var tolerance = relative * MaxAbs(expected);
        var (worst, index) = WorstDifference(expected, actual);
        Assert.True(
            worst <= tolerance,
            $"{what}: element {index} is {actual[index]} instead of {expected[index]} (difference {worst:G3} > tolerance {tolerance:G3}).");
    }

    /// <summary>Largest |expected - actual| relative to max|expected|.</summary>
    public static double RelativeDifference(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual) =>
        WorstDifference(expected, actual).Worst / Math.Max(MaxAbs(expected), double.Epsilon);

    public static double MaxAbs(ReadOnlySpan<float> values)
    {
        double max = 0;
        foreach (var v in values)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }

    private static (double Worst, int Index) WorstDifference(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        double worst = 0;
        var index = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Math.Abs((double)expected[i] - actual[i]);
            if (difference > worst || double.IsNaN(difference))
            {
                worst = double.IsNaN(difference) ? double.PositiveInfinity : difference;
                index = i;
            }
        }

        return (worst, index);
    }
}
