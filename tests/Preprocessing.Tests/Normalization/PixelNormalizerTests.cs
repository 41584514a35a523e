using Inference.Preprocessing.Normalization;

namespace Inference.Preprocessing.Tests.Normalization;

public sealed unsafe class PixelNormalizerTests
{
    private const int Count = 37;

    [Theory]
    [InlineData(TensorLayout.Nchw, ChannelOrder.Rgb, 1f)]
    [InlineData(TensorLayout.Nchw, ChannelOrder.Bgr, 255f)]
    [InlineData(TensorLayout.Nhwc, ChannelOrder.Rgb, 1f)]
    [InlineData(TensorLayout.Nhwc, ChannelOrder.Bgr, 255f)]
    public void Run_LayoutOrderAndRange_WritesEachValueWhereTheModelReadsIt(TensorLayout layout, ChannelOrder order, float range)
    {
        var pixels = new uint[Count];
        new Random(Count).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(pixels.AsSpan()));
        // Keras caffe-style means for BGR 0-255; torchvision's for RGB 0-1. Listed in the model's channel order.
        var spec = PreprocessingSpec.ImageNet with
        {
            Layout = layout,
            ChannelOrder = order,
            PixelRange = range,
            Mean = range == 255f ? [103.939f, 116.779f, 123.68f] : [0.485f, 0.456f, 0.406f],
            Std = range == 255f ? [1f, 1f, 1f] : [0.229f, 0.224f, 0.225f],
        };
        var output = new float[3 * Count];

        fixed (uint* p = pixels)
        fixed (float* o = output)
        {
            PixelNormalizer.Run(p, Count, ChannelConstants.From(spec), o, spec);
        }

        for (var i = 0; i < Count; i++)
        {
            for (var source = 0; source < 3; source++)
            {
                var channel = order == ChannelOrder.Bgr ? 2 - source : source;
                var v = (double)((pixels[i] >> (8 * source)) & 0xFF);
                var expected = ((v * range / 255) - spec.Mean[channel]) / spec.Std[channel];
                var at = layout == TensorLayout.Nchw ? (channel * Count) + i : (i * 3) + channel;
                Assert.Equal(expected, output[at], 1e-5 * Math.Max(1, Math.Abs(expected)));
            }
        }
    }
}
