namespace Inference.Preprocessing;

/// <summary>How <see cref="PreprocessingSpec.ResizeSize"/> is applied before the centre crop.</summary>
public enum ResizeRule
{
    /// <summary>torchvision <c>Resize(size)</c>: the shorter side becomes the size, keeping the aspect ratio.</summary>
    ShorterSide = 0,

    /// <summary>torchvision <c>Resize((size, size))</c>: both sides become the size, ignoring the aspect ratio.</summary>
    Stretch = 1,
}
