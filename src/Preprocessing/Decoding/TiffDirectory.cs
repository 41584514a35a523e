using System.Buffers.Binary;

namespace Inference.Preprocessing.Decoding;

/// <summary>
/// The two tags of a TIFF's first directory the ImageSharp path needs before decoding, read straight from the
/// bytes: the orientation (274), which ImageSharp 2.x's <c>Identify</c> does not report for TIFF, and whether the
/// image is a palette (photometric 3), whose 16-bit colour map Pillow reads by its high byte.
/// </summary>
internal static class TiffDirectory
{
    private const ushort PhotometricTag = 262;
    private const ushort OrientationTag = 274;
    private const ushort PhotometricPalette = 3;

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

    private static ushort U16(ReadOnlySpan<byte> data, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data) : BinaryPrimitives.ReadUInt16BigEndian(data);

    private static uint U32(ReadOnlySpan<byte> data, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data) : BinaryPrimitives.ReadUInt32BigEndian(data);
}
