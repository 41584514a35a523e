using Inference.Preprocessing.Buffers;
using Inference.Preprocessing.Decoding;
using Inference.Preprocessing.Limits;
using Inference.Preprocessing.Normalization;
using Inference.Preprocessing.Resize;

namespace Inference.Preprocessing;

/// <summary>
/// Decode (Skia or ImageSharp, see <see cref="ImageDecoderKind"/>) → torchvision <c>Resize</c> (Pillow's exact antialiased bilinear) → <c>CenterCrop</c> →
/// normalise into float32 in the model's layout (NCHW or NHWC) and channel order. Thread-safe; working memory comes from a pool of native buffers.
/// </summary>
public sealed unsafe class ImagePreprocessor : IImagePreprocessor
{
    // More images are in preprocessing at once than there are cores (the thread pool runs more threads than cores while
    // ONNX Runtime holds them); a pool of one per core freed and re-mapped their buffers on most calls. Engine, resnet18,
    // c8, 2 cores: 177k -> 101k page faults in 13 s, 79.9 -> 84.0 img/s (bench/README, issue 16).
    private readonly ScratchPool _pool = new(Math.Clamp(4 * Environment.ProcessorCount, 8, 64));
    private readonly ImageSharpDecoder _imageSharp;

    public ImagePreprocessor()
        : this(ImageLimits.Default)
    {
    }

    public ImagePreprocessor(ImageLimits limits)
        : this(limits, ImageDecoderKind.Auto)
    {
    }

    /// <param name="limits">Header limits, checked before decoding.</param>
    /// <param name="decoder">The decoder for specs that do not name one (<see cref="PreprocessingSpec.Decoder"/>).</param>
    public ImagePreprocessor(ImageLimits limits, ImageDecoderKind decoder)
    {
        ArgumentNullException.ThrowIfNull(limits);
        Limits = limits;
        Decoder = decoder;
        _imageSharp = new ImageSharpDecoder(limits);
    }

    public ImageLimits Limits { get; }

    /// <summary>The decoder used when the spec does not choose one.</summary>
    public ImageDecoderKind Decoder { get; }

    /// <summary>
    /// The system libjpeg-turbo library that <see cref="ImageDecoderKind.Auto"/> decodes full-size JPEGs with
    /// (<c>libturbojpeg.so.0</c>), or null when it is not installed and Skia decodes them.
    /// </summary>
    public static string? SystemJpegLibrary => TurboJpeg.LibraryName;

    /// <inheritdoc />
    public PreprocessResult Preprocess(ReadOnlySpan<byte> encoded, PreprocessingSpec spec, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var constants = ChannelConstants.From(spec);
        var plane = spec.InputWidth * spec.InputHeight;
        if (destination.Length < spec.TensorLength)
        {
            throw new ArgumentException($"The destination holds {destination.Length} floats; the spec needs {spec.TensorLength}.", nameof(destination));
        }

        var scratch = _pool.Rent();
        try
        {
            var (crop, result) = CropInto(encoded, spec, scratch);
            fixed (float* output = destination)
            {
                PixelNormalizer.Run((uint*)crop, plane, constants, output, spec);
            }

            return result;
        }
        finally
        {
            _pool.Return(scratch);
        }
    }

    /// <summary>
    /// The uint8 crop before normalisation: <c>InputHeight x InputWidth x 3</c> bytes, RGB, row-major HWC.
    /// In exact mode it equals torchvision's <c>CenterCrop(Resize(PIL.Image.open(f).convert('RGB')))</c>.
    /// </summary>
    /// <exception cref="ImageProcessingException">The image is empty, corrupt, unsupported or over a limit.</exception>
    public PreprocessResult DecodeCrop(ReadOnlySpan<byte> encoded, PreprocessingSpec spec, Span<byte> rgbHwc)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var pixels = spec.InputWidth * spec.InputHeight;
        if (rgbHwc.Length < pixels * 3)
        {
            throw new ArgumentException($"The destination holds {rgbHwc.Length} bytes; the spec needs {pixels * 3}.", nameof(rgbHwc));
        }

        var scratch = _pool.Rent();
        try
        {
            var (cropAddress, result) = CropInto(encoded, spec, scratch);
            var crop = (byte*)cropAddress;
            for (var i = 0; i < pixels; i++)
            {
                rgbHwc[(i * 3) + 0] = crop[(i * 4) + 0];
                rgbHwc[(i * 3) + 1] = crop[(i * 4) + 1];
                rgbHwc[(i * 3) + 2] = crop[(i * 4) + 2];
            }

            return result;
        }
        finally
        {
            _pool.Return(scratch);
        }
    }

    private (nint Crop, PreprocessResult Result) CropInto(ReadOnlySpan<byte> encoded, PreprocessingSpec spec, Scratch scratch)
    {
        ValidateGeometry(spec);
        if (encoded.IsEmpty)
        {
            throw DecodeErrors.Empty();
        }

        LimitGuard.CheckBytes(Limits, encoded.Length);
        var format = ImageFormat.Sniff(encoded) ?? throw DecodeErrors.Unsupported(encoded.Length);
        fixed (byte* data = encoded)
        {
            var decoder = spec.Decoder ?? Decoder;
            var decoded = UsesImageSharp(decoder, format)
                ? _imageSharp.Decode(data, encoded.Length, format, spec, Limits, scratch)
                : SkiaDecoder.Decode(data, encoded.Length, format, spec, Limits, scratch, systemJpeg: decoder == ImageDecoderKind.Auto);
            var geometry = CropGeometry.For(decoded.FullWidth, decoded.FullHeight, spec);
            var crop = CropResampler.Run(decoded.Pixels, decoded.FullWidth, decoded.FullHeight, decoded.Scale, geometry, spec, scratch);
            return ((nint)crop, new PreprocessResult(decoded.FullWidth, decoded.FullHeight, format));
        }
    }

    private static bool UsesImageSharp(ImageDecoderKind decoder, string format) => decoder switch
    {
        ImageDecoderKind.ImageSharp => true,
        ImageDecoderKind.Skia when format == ImageFormat.Tiff => throw new ImageProcessingException(
            ImageErrorCode.UnsupportedFormat, "TIFF is read by the ImageSharp decoder only; this model's decoder is 'skia' (use 'auto' or 'imagesharp')."),
        ImageDecoderKind.Skia => false,
        _ => format == ImageFormat.Tiff,
    };

    private static void ValidateGeometry(PreprocessingSpec spec)
    {
        if (spec.InputWidth <= 0 || spec.InputHeight <= 0 || spec.ResizeSize <= 0)
        {
            throw new ArgumentException(
                $"PreprocessingSpec sizes must be positive (input {spec.InputWidth}x{spec.InputHeight}, resize {spec.ResizeSize}).", nameof(spec));
        }
    }
}
