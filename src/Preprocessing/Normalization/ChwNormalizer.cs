using System.Runtime.Intrinsics;

namespace Inference.Preprocessing.Normalization;

/// <summary>
/// <c>(v / 255 - mean) / std</c> in float32 from 4-byte RGBx pixels into three CHW planes, as one fused
/// multiply-add per value (<c>v * scale + bias</c>, constants folded in double precision); that stays within
/// a few float32 ulps (under 1e-6) of numpy's float32 computation. Vector512, Vector256 or Vector128 as the
/// CPU allows, then a scalar tail.
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
            r[i] = MathF.FusedMultiplyAdd(p & 0xFF, c.Scale0, c.Bias0);
            g[i] = MathF.FusedMultiplyAdd((p >> 8) & 0xFF, c.Scale1, c.Bias1);
            b[i] = MathF.FusedMultiplyAdd((p >> 16) & 0xFF, c.Scale2, c.Bias2);
        }
    }

    private static int Run512(uint* pixels, int count, in ChannelConstants c, float* r, float* g, float* b)
    {
        var mask = Vector512.Create(0xFFu);
        var i = 0;
        for (; i + 16 <= count; i += 16)
        {
            var p = Vector512.Load(pixels + i);
            Normalize(p & mask, c.Scale0, c.Bias0).Store(r + i);
            Normalize((p >> 8) & mask, c.Scale1, c.Bias1).Store(g + i);
            Normalize((p >> 16) & mask, c.Scale2, c.Bias2).Store(b + i);
        }

        return i;
    }

    private static int Run256(uint* pixels, int count, in ChannelConstants c, float* r, float* g, float* b)
    {
        var mask = Vector256.Create(0xFFu);
        var i = 0;
        for (; i + 8 <= count; i += 8)
        {
            var p = Vector256.Load(pixels + i);
            Normalize(p & mask, c.Scale0, c.Bias0).Store(r + i);
            Normalize((p >> 8) & mask, c.Scale1, c.Bias1).Store(g + i);
            Normalize((p >> 16) & mask, c.Scale2, c.Bias2).Store(b + i);
        }

        return i;
    }

    private static int Run128(uint* pixels, int count, in ChannelConstants c, float* r, float* g, float* b)
    {
        var mask = Vector128.Create(0xFFu);
        var i = 0;
        for (; i + 4 <= count; i += 4)
        {
            var p = Vector128.Load(pixels + i);
            Normalize(p & mask, c.Scale0, c.Bias0).Store(r + i);
            Normalize((p >> 8) & mask, c.Scale1, c.Bias1).Store(g + i);
            Normalize((p >> 16) & mask, c.Scale2, c.Bias2).Store(b + i);
        }

        return i;
    }

    private static Vector512<float> Normalize(Vector512<uint> v, float scale, float bias) =>
        Vector512.FusedMultiplyAdd(Vector512.ConvertToSingle(v.AsInt32()), Vector512.Create(scale), Vector512.Create(bias));

    private static Vector256<float> Normalize(Vector256<uint> v, float scale, float bias) =>
        Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(v.AsInt32()), Vector256.Create(scale), Vector256.Create(bias));

    private static Vector128<float> Normalize(Vector128<uint> v, float scale, float bias) =>
        Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(v.AsInt32()), Vector128.Create(scale), Vector128.Create(bias));
}
