namespace Inference.Preprocessing.Tests.Resize;

/// <summary>
/// A plain transcription of Pillow 9.4's whole-image resample (RGB, bilinear) and torchvision's centre crop,
/// independent of the production code's crop-only, SIMD and strided paths.
/// </summary>
internal static class NaivePillowResize
{
    public static byte[] ResizeAndCrop(byte[] rgb, int width, int height, int resize, int crop)
    {
        int newWidth, newHeight;
        if (width <= height)
        {
            (newWidth, newHeight) = (resize, (int)((double)resize * height / width));
        }
        else
        {
            (newWidth, newHeight) = ((int)((double)resize * width / height), resize);
        }

        var resized = rgb;
        if (newWidth != width || newHeight != height)
        {
            resized = newWidth != width ? Pass(rgb, width, height, newWidth, horizontal: true) : rgb;
            resized = newHeight != height ? Pass(resized, newWidth, height, newHeight, horizontal: false) : resized;
        }

        var top = (int)Math.Round((newHeight - crop) / 2.0, MidpointRounding.ToEven);
        var left = (int)Math.Round((newWidth - crop) / 2.0, MidpointRounding.ToEven);
        var output = new byte[crop * crop * 3];
        for (var y = 0; y < crop; y++)
        {
            Array.Copy(resized, (((top + y) * newWidth) + left) * 3, output, y * crop * 3, crop * 3);
        }

        return output;
    }

    private static byte[] Pass(byte[] src, int width, int height, int outSize, bool horizontal)
    {
        var inSize = horizontal ? width : height;
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = filterScale;
        var outWidth = horizontal ? outSize : width;
        var outHeight = horizontal ? height : outSize;
        var dst = new byte[outWidth * outHeight * 3];
        for (var o = 0; o < outSize; o++)
        {
            var center = (o + 0.5) * scale;
            var min = Math.Max((int)(center - support + 0.5), 0);
            var max = Math.Min((int)(center + support + 0.5), inSize) - min;
            var w = new double[max];
            var total = 0.0;
            for (var t = 0; t < max; t++)
            {
                var x = Math.Abs((t + min - center + 0.5) / filterScale);
                w[t] = x < 1 ? 1 - x : 0;
                total += w[t];
            }

            var k = w.Select(v => (int)(0.5 + (v / total * (1 << 22)))).ToArray();
            var lines = horizontal ? height : width;
            for (var line = 0; line < lines; line++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var sum = 1 << 21;
                    for (var t = 0; t < max; t++)
                    {
                        var index = horizontal ? (line * width) + min + t : ((min + t) * width) + line;
                        sum += src[(index * 3) + c] * k[t];
                    }

                    var target = horizontal ? (line * outWidth) + o : (o * outWidth) + line;
                    dst[(target * 3) + c] = (byte)Math.Clamp(sum >> 22, 0, 255);
                }
            }
        }

        return dst;
    }
}
