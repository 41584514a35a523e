namespace Inference.Preprocessing.Normalization;

/// <summary>
/// <c>(v / 255 - mean) / std</c> folded into <c>v * Scale + Bias</c> per channel (computed in double precision,
/// then rounded to float32). Validated once per call.
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

        return new ChannelConstants(
            Scale(std[0]), Bias(mean[0], std[0]), Scale(std[1]), Bias(mean[1], std[1]), Scale(std[2]), Bias(mean[2], std[2]));
    }

    private static float Scale(float std) => (float)(1.0 / (255.0 * std));

    private static float Bias(float mean, float std) => (float)(-(double)mean / std);
}
