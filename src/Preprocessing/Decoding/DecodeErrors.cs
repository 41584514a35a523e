using SkiaSharp;

namespace Inference.Preprocessing.Decoding;

/// <summary>Typed refusals for input that cannot be decoded.</summary>
internal static class DecodeErrors
{
    public static ImageProcessingException Empty() =>
        new(ImageErrorCode.Empty, "The image is empty (0 bytes).");

    public static ImageProcessingException Unsupported(int length) =>
        new(ImageErrorCode.UnsupportedFormat, $"The {length}-byte input is not a supported image format (JPEG, PNG, WebP, BMP, GIF or TIFF).");

    /// <summary>Maps a failed SkCodec result to a typed error.</summary>
    public static ImageProcessingException FromResult(SKCodecResult result, string format, string stage) => result switch
    {
        SKCodecResult.IncompleteInput => new(ImageErrorCode.Truncated, $"The {format} image is truncated: its data ends before the {stage} is complete."),
        SKCodecResult.Unimplemented => new(ImageErrorCode.UnsupportedFormat, $"This {format} variant is not supported ({stage}: {result})."),
        _ => new(ImageErrorCode.Corrupt, $"The {format} image is corrupt ({stage}: {result})."),
    };

    public static ImageProcessingException Corrupt(string format, string detail) =>
        new(ImageErrorCode.Corrupt, $"The {format} image is corrupt: {detail}.");
}
