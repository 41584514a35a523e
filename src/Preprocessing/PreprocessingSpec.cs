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

    /// <summary>Per channel, in the model's channel order (<see cref="ChannelOrder"/>), on the <see cref="PixelRange"/> scale.</summary>
    public IReadOnlyList<float> Mean { get; init; } = [0.485f, 0.456f, 0.406f];

    /// <summary>Per channel, in the model's channel order, on the <see cref="PixelRange"/> scale.</summary>
    public IReadOnlyList<float> Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>The value of a full-intensity pixel before mean and std: 1 (torchvision) or 255 (Caffe, Keras).</summary>
    public float PixelRange { get; init; } = 1f;

    /// <summary>The order of the channels the model takes.</summary>
    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;

    /// <summary>Channels first (one plane per channel) or last (interleaved per pixel).</summary>
    public TensorLayout Layout { get; init; } = TensorLayout.Nchw;

    /// <summary>Apply the EXIF orientation tag (as <c>ImageOps.exif_transpose</c>) before resizing.</summary>
    public bool ApplyExifOrientation { get; init; } = true;

    /// <summary>Exact (byte-identical to torchvision) or Fast (DCT-domain downscaled JPEG decode).</summary>
    public DecodeMode Mode { get; init; } = DecodeMode.Exact;

    /// <summary>Which library decodes (skia, imagesharp, auto); null: the preprocessor's default (<c>Inference:Decoder</c>).</summary>
    public ImageDecoderKind? Decoder { get; init; }

    /// <summary>Number of floats one image occupies in a batch (either layout).</summary>
    public int TensorLength => 3 * InputHeight * InputWidth;
}

/// <summary>Where the channel axis of the model's image input is.</summary>
public enum TensorLayout
{
    /// <summary>[N, C, H, W]: one plane per channel (torchvision, ONNX model zoo).</summary>
    Nchw,

    /// <summary>[N, H, W, C]: channels interleaved per pixel (Keras, tf2onnx).</summary>
    Nhwc,
}

/// <summary>The channel order a model takes.</summary>
public enum ChannelOrder
{
    Rgb,

    /// <summary>Caffe and Keras "caffe" mode.</summary>
    Bgr,
}
