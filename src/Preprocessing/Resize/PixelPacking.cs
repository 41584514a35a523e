using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Inference.Preprocessing.Resize;

/// <summary>Pillow's <c>clip8</c>: fixed-point sums back to bytes, clamped to 0..255.</summary>
internal static class PixelPacking
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Clip8(int sum)
    {
        if (sum >= 256 << AxisCoefficients.PrecisionBits)
        {
            return 255;
        }

        return sum <= 0 ? (byte)0 : (byte)(sum >> AxisCoefficients.PrecisionBits);
    }

    /// <summary>Four fixed-point sums to four bytes; the saturating packs clamp as <c>clip8</c> does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Pack(Vector128<int> sums)
    {
        var shifted = Sse2.ShiftRightArithmetic(sums, AxisCoefficients.PrecisionBits);
        var words = Sse2.PackSignedSaturate(shifted, shifted);
        return Sse2.PackUnsignedSaturate(words, words).AsUInt32().ToScalar();
    }
}
