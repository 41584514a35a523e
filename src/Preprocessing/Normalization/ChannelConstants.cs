namespace Inference.Preprocessing.Normalization;

/// <summary>Per-channel mean and std as float32, validated once per spec.</summary>
internal readonly record struct ChannelConstants(float Mean0, float Mean1, float Mean2, float Std0, float Std1, float Std2)
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

        return new ChannelConstants(mean[0], mean[1], mean[2], std[0], std[1], std[2]);
    }
}
