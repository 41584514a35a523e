namespace Inference.Preprocessing.Decoding;

/// <summary>The formats the service accepts, recognised from their first bytes.</summary>
internal static class ImageFormat
{
    public const string Jpeg = "jpeg";
    public const string Png = "png";
    public const string Webp = "webp";
    public const string Bmp = "bmp";
    public const string Gif = "gif";
    public const string Tiff = "tiff";

    /// <summary>The format name, or null when the signature is none of the supported formats.</summary>
    public static string? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return Gif;
        }

        // Classic TIFF, little- ("II*\0") or big-endian ("MM\0*"); only ImageSharp reads it.
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8))
        {
            return Tiff;
        }

        if (data.StartsWith("BM"u8))
        {
            return Bmp;
        }

        return data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8) ? Webp : null;
    }
}
