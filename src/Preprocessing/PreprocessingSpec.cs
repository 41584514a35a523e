namespace Inference.Preprocessing;

/// <summary>
/// How a model wants its images prepared. The defaults are torchvision's ImageNet evaluation
/// transform: Resize(256) (bilinear, antialiased), CenterCrop(224), ImageNet mean and std.
/// </summary>
public sealed record PreprocessingSpec
{
    public static PreprocessingSpec ImageNet { get; } = new();

    /// <summary>Height of the model's input (the crop).</summary>
    public int InputHeight { get; init; } = 224;

    /// <summary>Width of the model's input (the crop).</summary>
    public int InputWidth { get; init; } = 224;

    /// <summary>
    /// torchvision's <c>Resize(size)</c> with an int: the shorter side becomes this, keeping the aspect ratio.
    /// </summary>
    public int ResizeSize { get; init; } = 256;

    /// <summary>Whether <see cref="ResizeSize"/> sets the shorter side (the default) or both sides.</summary>
    public ResizeRule Resize { get; init; } = ResizeRule.ShorterSide;

    public IReadOnlyList<float> Mean { get; init; } = [0.485f, 0.456f, 0.406f];

    public IReadOnlyList<float> Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>Apply the EXIF orientation tag (as <c>ImageOps.exif_transpose</c>) before resizing.</summary>
    public bool ApplyExifOrientation { get; init; } = true;

    /// <summary>Exact (byte-identical to torchvision) or Fast (DCT-domain downscaled JPEG decode).</summary>
    public DecodeMode Mode { get; init; } = DecodeMode.Exact;

    /// <summary>Which library decodes (skia, imagesharp, auto); null: the preprocessor's default (<c>Inference:Decoder</c>).</summary>
    public ImageDecoderKind? Decoder { get; init; }

    /// <summary>Number of floats one image occupies in an NCHW batch.</summary>
    public int TensorLength => 3 * InputHeight * InputWidth;
}
