using System.Buffers.Binary;

namespace Inference.Preprocessing.Decoding;

/// <summary>
/// The two tags of a TIFF's first directory the ImageSharp path needs before decoding, read straight from the
/// bytes: the orientation (274), which ImageSharp 2.x's <c>Identify</c> does not report for TIFF, and whether the
/// image is a palette (photometric 3), whose 16-bit colour map Pillow reads by its high byte; and whether the
/// first page's strips or tiles lie inside the file (ImageSharp decodes past the end of an uncompressed one as zeros).
/// </summary>
internal static class TiffDirectory
{
    private const ushort PhotometricTag = 262;
    private const ushort OrientationTag = 274;
    private const ushort PhotometricPalette = 3;
    private const ushort StripOffsetsTag = 273;
    private const ushort StripByteCountsTag = 279;
    private const ushort TileOffsetsTag = 324;
    private const ushort TileByteCountsTag = 325;

    public static (int Orientation, bool Palette) Read(ReadOnlySpan<byte> data)
    {
        var orientation = 1;
        var palette = false;
        if (data.Length < 8)
        {
            return (orientation, palette);
        }

        var little = data[0] == (byte)'I';
        var offset = U32(data[4..], little);
        if (offset > (uint)data.Length - 2)
        {
            return (orientation, palette);
        }

        var entries = U16(data[(int)offset..], little);
        for (var i = 0; i < entries; i++)
        {
            var entry = (long)offset + 2 + (12L * i);
            if (entry + 12 > data.Length)
            {
                break;
            }

            var field = data.Slice((int)entry, 12);
            var tag = U16(field, little);
            var type = U16(field[2..], little);
            var value = type switch
            {
                3 => U16(field[8..], little), // SHORT
                4 => U32(field[8..], little), // LONG
                _ => 0u,
            };
            if (tag == OrientationTag)
            {
                orientation = value is >= 1 and <= 8 ? (int)value : 1;
            }
            else if (tag == PhotometricTag)
            {
                palette = value == PhotometricPalette;
            }
        }

        return (orientation, palette);
    }

    /// <summary>Every strip (or tile) of the first directory ends inside <paramref name="data"/>.</summary>
    public static bool DataComplete(ReadOnlySpan<byte> data)
    {
        if (data.Length < 8)
        {
            return false;
        }

        var little = data[0] == (byte)'I';
        var offset = U32(data[4..], little);
        if (offset > (uint)data.Length - 2)
        {
            return true; // no readable directory: the decoder names that corruption
        }

        ReadOnlySpan<byte> offsets = default, counts = default;
        ushort offsetType = 0, countType = 0;
        var entries = U16(data[(int)offset..], little);
        for (var i = 0; i < entries && offset + 2 + (12L * (i + 1)) <= data.Length; i++)
        {
            var field = data.Slice((int)offset + 2 + (12 * i), 12);
            var tag = U16(field, little);
            if (tag is StripOffsetsTag or TileOffsetsTag)
            {
                offsets = Values(data, field, little);
                offsetType = U16(field[2..], little);
            }
            else if (tag is StripByteCountsTag or TileByteCountsTag)
            {
                counts = Values(data, field, little);
                countType = U16(field[2..], little);
            }
        }

        var size = offsetType == 3 ? 2 : 4;
        var countSize = countType == 3 ? 2 : 4;
        var n = Math.Min(offsets.Length / size, counts.Length / countSize);
        for (var i = 0; i < n; i++)
        {
            long start = size == 2 ? U16(offsets[(i * 2)..], little) : U32(offsets[(i * 4)..], little);
            long count = countSize == 2 ? U16(counts[(i * 2)..], little) : U32(counts[(i * 4)..], little);
            if (start + count > data.Length)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The SHORT or LONG values of a directory entry: inline when they fit in 4 bytes, else at their offset.</summary>
    private static ReadOnlySpan<byte> Values(ReadOnlySpan<byte> data, ReadOnlySpan<byte> field, bool little)
    {
        var size = U16(field[2..], little) switch
        {
            3 => 2L,
            4 => 4L,
            _ => 0L,
        };
        var bytes = size * U32(field[4..], little);
        if (bytes <= 4)
        {
            return field.Slice(8, (int)bytes);
        }

        var at = U32(field[8..], little);
        return at + bytes <= data.Length ? data.Slice((int)at, (int)bytes) : [];
    }

    private static ushort U16(ReadOnlySpan<byte> data, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data) : BinaryPrimitives.ReadUInt16BigEndian(data);

    private static uint U32(ReadOnlySpan<byte> data, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data) : BinaryPrimitives.ReadUInt32BigEndian(data);
}
