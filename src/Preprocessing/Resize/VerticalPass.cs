using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Inference.Preprocessing.Resize;

/// <summary>Pillow's <c>ImagingResampleVertical_8bpc</c> over 4-byte pixels, 4 pixels per AVX-512 step.</summary>
internal static unsafe class VerticalPass
{
    private const int Half = 1 << (AxisCoefficients.PrecisionBits - 1);

    /// <param name="source">Rows of the horizontal pass; row 0 is input row <paramref name="sourceRowStart"/>.</param>
    /// <param name="sourceStride">Bytes between source rows.</param>
    /// <param name="sourceRowStart">Input row index of the first source row.</param>
    /// <param name="taps">Taps for the output rows wanted.</param>
    /// <param name="rowBytes">Bytes per row to resample (4 per pixel).</param>
    /// <param name="destination">Output rows.</param>
    /// <param name="destinationStride">Bytes between output rows.</param>
    public static void Run(
        byte* source, nint sourceStride, int sourceRowStart, AxisCoefficients taps, int rowBytes, byte* destination, nint destinationStride)
    {
        Span<nint> rows = stackalloc nint[taps.KernelSize];
        for (var i = 0; i < taps.Count; i++)
        {
            var count = taps.Length[i];
            var k = taps.Taps.AsSpan(i * taps.KernelSize, count);
            for (var t = 0; t < count; t++)
            {
                rows[t] = (nint)(source + ((taps.First[i] - sourceRowStart + t) * sourceStride));
            }

            var output = destination + (i * destinationStride);
            var x = 0;
            if (Avx512F.IsSupported)
            {
                x = Wide(rows[..count], k, rowBytes, output);
            }

            if (Sse41.IsSupported)
            {
                Narrow(rows[..count], k, x, rowBytes, output);
            }
            else
            {
                Scalar(rows[..count], k, x, rowBytes, output);
            }
        }
    }

    private static int Wide(ReadOnlySpan<nint> rows, ReadOnlySpan<int> k, int rowBytes, byte* output)
    {
        var x = 0;
        for (; x + 16 <= rowBytes; x += 16)
        {
            var acc = Vector512.Create(Half);
            for (var t = 0; t < rows.Length; t++)
            {
                var bytes = Vector128.Load((byte*)rows[t] + x);
                acc += Avx512F.MultiplyLow(Avx512F.ConvertToVector512Int32(bytes), Vector512.Create(k[t]));
            }

            var clipped = Vector512.Min(Vector512.Max(Avx512F.ShiftRightArithmetic(acc, AxisCoefficients.PrecisionBits), Vector512<int>.Zero), Vector512.Create(255));
            Avx512F.ConvertToVector128Byte(clipped).Store(output + x);
        }

        return x;
    }

    private static void Narrow(ReadOnlySpan<nint> rows, ReadOnlySpan<int> k, int x, int rowBytes, byte* output)
    {
        for (; x + 4 <= rowBytes; x += 4)
        {
            var acc = Vector128.Create(Half);
            for (var t = 0; t < rows.Length; t++)
            {
                var bytes = Vector128.CreateScalarUnsafe(*(uint*)((byte*)rows[t] + x)).AsByte();
                acc += Sse41.MultiplyLow(Sse41.ConvertToVector128Int32(bytes), Vector128.Create(k[t]));
            }

            *(uint*)(output + x) = PixelPacking.Pack(acc);
        }
    }

    private static void Scalar(ReadOnlySpan<nint> rows, ReadOnlySpan<int> k, int x, int rowBytes, byte* output)
    {
        for (; x < rowBytes; x++)
        {
            var sum = Half;
            for (var t = 0; t < rows.Length; t++)
            {
                sum += ((byte*)rows[t])[x] * k[t];
            }

            output[x] = PixelPacking.Clip8(sum);
        }
    }
}
