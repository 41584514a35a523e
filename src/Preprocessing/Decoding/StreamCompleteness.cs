using System.Buffers.Binary;

namespace Inference.Preprocessing.Decoding;

/// <summary>
/// ImageSharp fills what a truncated JPEG or PNG lacks with grey or zeros and reports success; Pillow (and
/// libjpeg-turbo/libpng in the Skia path) refuse such a file. This walks the container, without decoding, and
/// refuses it as truncated first: a JPEG whose scan data has no end-of-image marker, a PNG whose chunks run
/// past the end or that ends before its IEND chunk.
/// </summary>
internal static class StreamCompleteness
{
    public static void Check(ReadOnlySpan<byte> data, string format)
    {
        var complete = format switch
        {
            ImageFormat.Jpeg => JpegComplete(data),
            ImageFormat.Png => PngComplete(data),
            _ => true,
        };
        if (!complete)
        {
            throw new ImageProcessingException(
                ImageErrorCode.Truncated, $"The {format} image is truncated: its data ends before the pixel data is complete.");
        }
    }

    /// <summary>Marker segments up to the first scan, then an EOI marker somewhere after it.</summary>
    private static bool JpegComplete(ReadOnlySpan<byte> data)
    {
        var position = 2;
        while (position + 1 < data.Length)
        {
            if (data[position] != 0xFF)
            {
                return true; // not a marker where one belongs: the decoder names that corruption
            }

            var marker = data[position + 1];
            position += 2;
            if (marker is 0xFF or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                position -= marker == 0xFF ? 1 : 0; // fill byte, or a marker without a length
                continue;
            }

            if (marker == 0xD9)
            {
                return true; // EOI before any scan: no pixels, which the decoder refuses as corrupt
            }

            if (position + 2 > data.Length)
            {
                return false;
            }

            var segment = BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
            if (marker == 0xDA)
            {
                // Inside scan data 0xFF is always followed by 0x00 or a restart marker, so FF D9 is the real end.
                return data[position..].IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0;
            }

            position += segment;
        }

        return false;
    }

    private static bool PngComplete(ReadOnlySpan<byte> data)
    {
        long position = 8;
        while (position + 8 <= data.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(data[(int)position..]);
            if (data.Slice((int)position + 4, 4).SequenceEqual("IEND"u8))
            {
                return true;
            }

            position += 12L + length;
        }

        return false;
    }
}
