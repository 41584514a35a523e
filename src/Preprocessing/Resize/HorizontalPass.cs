using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Inference.Preprocessing.Resize;

/// <summary>
/// Pillow's <c>ImagingResampleHorizontal_8bpc</c> over 4-byte pixels, reading the source through a strided
/// view (so EXIF orientation costs no copy) and writing only the outputs the crop needs.
/// </summary>
internal static unsafe class HorizontalPass
{
    private const int Half = 1 << (AxisCoefficients.PrecisionBits - 1);

    /// <param name="origin">Address of oriented pixel (0, 0).</param>
    /// <param name="xStep">Bytes from one oriented pixel to the next in a row.</param>
    /// <param name="yStep">Bytes from one oriented row to the next.</param>
    /// <param name="rowStart">First oriented row to resample.</param>
    /// <param name="rowCount">Number of rows to resample.</param>
    /// <param name="taps">Taps for the output columns wanted.</param>
    /// <param name="destination">Output rows of <c>taps.Count</c> 4-byte pixels.</param>
    /// <param name="destinationStride">Bytes between output rows.</param>
    public static void Run(
        byte* origin, nint xStep, nint yStep, int rowStart, int rowCount, AxisCoefficients taps, byte* destination, nint destinationStride)
    {
        var first = taps.First;
        var length = taps.Length;
        var weights = taps.Taps;
        var kernelSize = taps.KernelSize;
        for (var r = 0; r < rowCount; r++)
        {
            var row = origin + ((rowStart + r) * yStep);
            var output = destination + (r * destinationStride);
            for (var j = 0; j < taps.Count; j++)
            {
                var source = row + (first[j] * xStep);
                var k = weights.AsSpan(j * kernelSize, length[j]);
                if (Sse41.IsSupported)
                {
                    *(uint*)(output + (j * 4)) = PixelSimd(source, xStep, k);
                }
                else
                {
                    PixelScalar(source, xStep, k, output + (j * 4));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint PixelSimd(byte* source, nint xStep, ReadOnlySpan<int> k)
    {
        var acc = Vector128.Create(Half);
        for (var t = 0; t < k.Length; t++)
        {
            var pixel = Sse41.ConvertToVector128Int32(Vector128.CreateScalarUnsafe(*(uint*)source).AsByte());
            acc += Sse41.MultiplyLow(pixel, Vector128.Create(k[t]));
            source += xStep;
        }

        return PixelPacking.Pack(acc);
    }

    private static void PixelScalar(byte* source, nint xStep, ReadOnlySpan<int> k, byte* output)
    {
        int s0 = Half, s1 = Half, s2 = Half, s3 = Half;
        for (var t = 0; t < k.Length; t++)
        {
            s0 += source[0] * k[t];
            s1 += source[1] * k[t];
            s2 += source[2] * k[t];
            s3 += source[3] * k[t];
            source += xStep;
        }

        output[0] = PixelPacking.Clip8(s0);
        output[1] = PixelPacking.Clip8(s1);
        output[2] = PixelPacking.Clip8(s2);
        output[3] = PixelPacking.Clip8(s3);
    }
}
