using Inference.Preprocessing.Resize;

namespace Inference.Preprocessing.Tests.Resize;

/// <summary>The input range fast mode decodes is exactly the range the taps read.</summary>
public sealed class AxisCoefficientsTests
{
    [Theory]
    [InlineData(960, 960.0, 398, 87, 224)] // 1920 wide at 1/2, 256 resize, 224 crop
    [InlineData(540, 540.0, 224, 0, 224)]
    [InlineData(1000, 1000.0, 341, 58, 224)] // 4000 wide at 1/4
    [InlineData(63, 62.5, 31, 3, 20)] // odd size rounded up by the DCT scale
    [InlineData(40, 40.0, 64, 4, 56)] // upsampling
    [InlineData(256, 256.0, 256, 16, 224)] // unchanged size: identity taps
    [InlineData(300, 300.0, 256, 255, 1)] // last output only
    public void InputRange_AnyRun_MatchesComputedTaps(int inSize, double inExtent, int outSize, int outStart, int count)
    {
        var axis = new AxisCoefficients();
        if (inSize == outSize && inExtent == inSize)
        {
            axis.ComputeIdentity(outStart, count);
        }
        else
        {
            axis.Compute(inSize, inExtent, outSize, outStart, count);
        }

        var (start, end) = AxisCoefficients.InputRange(inSize, inExtent, outSize, outStart, count);

        Assert.Equal((axis.InputStart, axis.InputEnd), (start, end));
    }

    [Fact]
    public void InputRange_NoOutputs_Empty()
    {
        Assert.Equal((0, 0), AxisCoefficients.InputRange(100, 100.0, 50, 10, 0));
    }
}
