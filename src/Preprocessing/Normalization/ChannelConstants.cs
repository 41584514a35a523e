namespace Inference.Preprocessing.Normalization;

/// <summary>
/// <c>(v * range / 255 - mean) / std</c> folded into <c>v * Scale + Bias</c> per source channel R, G, B (computed in
/// double precision, then rounded to float32). Mean and std are given in the model's channel order; for BGR the
/// R constants take the third value. Validated once per call.
/// </summary>
internal readonly record struct ChannelConstants(float Scale0, float Bias0, float Scale1, float Bias1, float Scale2, float Bias2)
{
    public static ChannelConstants From(PreprocessingSpec spec)
    {
        if (spec.Mean is not { Count: 3 } mean || spec.Std is not { Count: 3 } std)
        {
            throw new ArgumentException("PreprocessingSpec.Mean and Std must have 3 values (R, G, B).", nameof(spec));
        }

        if (std[0] == 0 || std[1] == 0 || std[2] == 0)
        {
            throw new ArgumentException("PreprocessingSpec.Std must not contain 0.", nameof(spec));
        }

        if (spec.PixelRange is not (1f or 255f))
        {
            throw new ArgumentException("PreprocessingSpec.PixelRange must be 1 or 255.", nameof(spec));
        }

        var range = spec.PixelRange;
        var (r, b) = spec.ChannelOrder == ChannelOrder.Bgr ? (2, 0) : (0, 2);
        return new ChannelConstants(
            Scale(std[r], range), Bias(mean[r], std[r]), Scale(std[1], range), Bias(mean[1], std[1]), Scale(std[b], range), Bias(mean[b], std[b]));
    }

    private static float Scale(float std, float range) => (float)(range / (255.0 * std));

    private static float Bias(float mean, float std) => (float)(-(double)mean / std);
}
