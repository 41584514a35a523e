using System.Runtime.Intrinsics;

namespace Inference.Preprocessing.Normalization;

/// <summary>
/// <c>(v / 255 - mean) / std</c> in float32 from 4-byte RGBx pixels into three CHW planes, with the same
/// IEEE operations as numpy's float32 computation (so the results are identical, not just close).
/// Vector512, Vector256 or Vector128 as the CPU allows, then a scalar tail.
/// </summary>
internal static unsafe class ChwNormalizer
{
    public static void Run(uint* pixels, int count, in ChannelConstants c, float* r, float* g, float* b)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            i = Run512(pixels, count, c, r, g, b);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            i = Run256(pixels, count, c, r, g, b);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            i = Run128(pixels, count, c, r, g, b);
        }

        for (; i < count; i++)
        {
            var p = pixels[i];
            r[i] = (((p & 0xFF) / 255f) - c.Mean0) / c.Std0;
            g[i] = ((((p >> 8) & 0xFF) / 255f) - c.Mean1) / c.Std1;
            b[i] = ((((p >> 16) & 0xFF) / 255f) - c.Mean2) / c.Std2;
        }
    }

    private static int Run512(uint* pixels, int count, in ChannelConstants c, float* r, float* g, float* b)
    {
        var mask = Vector512.Create(0xFFu);
        var scale = Vector512.Create(255f);
        var i = 0;
        for (; i + 16 <= count; i += 16)
        {
            var p = Vector512.Load(pixels + i);
            Normalize(p & mask, scale, c.Mean0, c.Std0).Store(r + i);
            Normalize((p >> 8) & mask, scale, c.Mean1, c.Std1).Store(g + i);
            Normalize((p >> 16) & mask, scale, c.Mean2, c.Std2).Store(b + i);
        }

        return i;
    }

    private static int Run256(uint* pixels, int count, in ChannelConstants c, float* r, float* g, float* b)
    {
        var mask = Vector256.Create(0xFFu);
        var scale = Vector256.Create(255f);
        var i = 0;
        for (; i + 8 <= count; i += 8)
        {
            var p = Vector256.Load(pixels + i);
            Normalize(p & mask, scale, c.Mean0, c.Std0).Store(r + i);
            Normalize((p >> 8) & mask, scale, c.Mean1, c.Std1).Store(g + i);
            Normalize((p >> 16) & mask, scale, c.Mean2, c.Std2).Store(b + i);
        }

        return i;
    }

    private static int Run128(uint* pixels, int count, in ChannelConstants c, float* r, float* g, float* b)
    {
        var mask = Vector128.Create(0xFFu);
        var scale = Vector128.Create(255f);
        var i = 0;
        for (; i + 4 <= count; i += 4)
        {
            var p = Vector128.Load(pixels + i);
            Normalize(p & mask, scale, c.Mean0, c.Std0).Store(r + i);
            Normalize((p >> 8) & mask, scale, c.Mean1, c.Std1).Store(g + i);
            Normalize((p >> 16) & mask, scale, c.Mean2, c.Std2).Store(b + i);
        }

        return i;
    }

    private static Vector512<float> Normalize(Vector512<uint> v, Vector512<float> scale, float mean, float std) =>
        ((Vector512.ConvertToSingle(v.AsInt32()) / scale) - Vector512.Create(mean)) / Vector512.Create(std);

    private static Vector256<float> Normalize(Vector256<uint> v, Vector256<float> scale, float mean, float std) =>
        ((Vector256.ConvertToSingle(v.AsInt32()) / scale) - Vector256.Create(mean)) / Vector256.Create(std);

    private static Vector128<float> Normalize(Vector128<uint> v, Vector128<float> scale, float mean, float std) =>
        ((Vector128.ConvertToSingle(v.AsInt32()) / scale) - Vector128.Create(mean)) / Vector128.Create(std);
}
