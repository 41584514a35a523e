using System.Buffers.Binary;

namespace Inference.Preprocessing.Decoding;

/// <summary>
/// ImageSharp decodes a truncated file without complaint (measured for BMP, GIF, WebP and uncompressed TIFF),
/// filling what is missing; Pillow, and the native decoders of the Skia path, refuse such a file. This
/// walks the container, without decoding, and refuses it as truncated first: a JPEG whose scan data has no
/// end-of-image marker, a PNG that ends before its IEND chunk, a BMP shorter than its rows, a GIF whose first
/// image's data blocks run past the end, a WebP shorter than its RIFF size, a TIFF whose first page's strips or
/// tiles do.
/// </summary>
internal static class StreamCompleteness
{
    public static void Check(ReadOnlySpan<byte> data, string format)
    {
        var complete = format switch
        {
            ImageFormat.Jpeg => JpegComplete(data),
            ImageFormat.Png => PngComplete(data),
            ImageFormat.Bmp => BmpComplete(data),
            ImageFormat.Gif => GifComplete(data),
            ImageFormat.Webp => data.Length >= 8 && BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) + 8L <= data.Length,
            ImageFormat.Tiff => TiffDirectory.DataComplete(data),
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

    /// <summary>Uncompressed and bit-field BMPs: the pixel offset plus the rows must fit (RLE lengths are not known up front).</summary>
    private static bool BmpComplete(ReadOnlySpan<byte> data)
    {
        if (data.Length < 26)
        {
            return false;
        }

        var offset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        var header = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        long width, height, bits, compression = 0;
        if (header == 12)
        {
            (width, height, bits) = (BinaryPrimitives.ReadUInt16LittleEndian(data[18..]), BinaryPrimitives.ReadUInt16LittleEndian(data[20..]),
                BinaryPrimitives.ReadUInt16LittleEndian(data[24..]));
        }
        else if (data.Length >= 34)
        {
            (width, height, bits) = (BinaryPrimitives.ReadInt32LittleEndian(data[18..]), BinaryPrimitives.ReadInt32LittleEndian(data[22..]),
                BinaryPrimitives.ReadUInt16LittleEndian(data[28..]));
            compression = BinaryPrimitives.ReadUInt32LittleEndian(data[30..]);
        }
        else
        {
            return false;
        }

        if (compression is not (0 or 3 or 6))
        {
            return true;
        }

        var stride = ((Math.Abs(width) * bits) + 31) / 32 * 4;
        return offset + (stride * Math.Abs(height)) <= data.Length;
    }

    /// <summary>Blocks up to the end of the first image's data sub-blocks must be present.</summary>
    private static bool GifComplete(ReadOnlySpan<byte> data)
    {
        if (data.Length < 13)
        {
            return false;
        }

        var position = 13 + ((data[10] & 0x80) != 0 ? 3 << ((data[10] & 7) + 1) : 0);
        while (position < data.Length)
        {
            switch (data[position])
            {
                case 0x21: // extension: label, then sub-blocks
                    position = SkipSubBlocks(data, position + 2);
                    break;
                case 0x2C: // image descriptor, local colour table, LZW code size, then the data sub-blocks
                    if (position + 10 > data.Length)
                    {
                        return false;
                    }

                    var flags = data[position + 9];
                    position += 10 + ((flags & 0x80) != 0 ? 3 << ((flags & 7) + 1) : 0) + 1;
                    return SkipSubBlocks(data, position) <= data.Length;
                default:
                    return true; // trailer or garbage before any image: the decoder names it
            }
        }

        return false;
    }

    /// <summary>The position after the zero-length block that ends a run of sub-blocks, or past the end.</summary>
    private static int SkipSubBlocks(ReadOnlySpan<byte> data, int position)
    {
        while (position < data.Length && data[position] != 0)
        {
            position += data[position] + 1;
        }

        return position + 1;
    }
}
