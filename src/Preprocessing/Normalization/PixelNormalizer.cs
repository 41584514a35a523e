namespace Inference.Preprocessing.Normalization;

/// <summary>
/// Writes the normalised crop straight into the model's input slot in the layout and channel order the model
/// takes: NCHW through <see cref="ChwNormalizer"/> with its planes in model order, NHWC interleaved.
/// </summary>
internal static unsafe class PixelNormalizer
{
    /// <param name="pixels">RGBx pixels, 4 bytes each.</param>
    /// <param name="count">The number of pixels (height x width).</param>
    /// <param name="c">The constants per source channel R, G, B.</param>
    /// <param name="output">The slot: 3 x <paramref name="count"/> floats.</param>
    /// <param name="spec">Layout and channel order.</param>
    public static void Run(uint* pixels, int count, in ChannelConstants c, float* output, PreprocessingSpec spec)
    {
        var bgr = spec.ChannelOrder == ChannelOrder.Bgr;
        if (spec.Layout == TensorLayout.Nchw)
        {
            var first = output;
            var last = output + (2 * count);
            ChwNormalizer.Run(pixels, count, c, bgr ? last : first, output + count, bgr ? first : last);
            return;
        }

        var (r, b) = bgr ? (2, 0) : (0, 2);
        for (var i = 0; i < count; i++)
        {
            var p = pixels[i];
            var o = output + (3 * i);
            o[r] = MathF.FusedMultiplyAdd(p & 0xFF, c.Scale0, c.Bias0);
            o[1] = MathF.FusedMultiplyAdd((p >> 8) & 0xFF, c.Scale1, c.Bias1);
            o[b] = MathF.FusedMultiplyAdd((p >> 16) & 0xFF, c.Scale2, c.Bias2);
        }
    }
}
