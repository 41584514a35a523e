namespace Inference.Preprocessing.Resize;

/// <summary>
/// Fixed-point filter taps for a run of output pixels along one axis, as Pillow's
/// <c>precompute_coeffs</c> + <c>normalize_coeffs_8bpc</c> make them. Reused between images.
/// </summary>
internal sealed class AxisCoefficients
{
    /// <summary>Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2.</summary>
    public const int PrecisionBits = 22;

    private double[] _weights = new double[64];

    /// <summary>Number of output pixels described.</summary>
    public int Count { get; private set; }

    /// <summary>Taps per output pixel (the row length of <see cref="Taps"/>).</summary>
    public int KernelSize { get; private set; }

    /// <summary>Per output pixel: first input index.</summary>
    public int[] First { get; private set; } = new int[16];

    /// <summary>Per output pixel: number of taps used.</summary>
    public int[] Length { get; private set; } = new int[16];

    /// <summary>Count x KernelSize fixed-point weights.</summary>
    public int[] Taps { get; private set; } = new int[64];

    /// <summary>First input index any output uses.</summary>
    public int InputStart => Count == 0 ? 0 : First[0];

    /// <summary>One past the last input index any output uses.</summary>
    public int InputEnd => Count == 0 ? 0 : First[Count - 1] + Length[Count - 1];

    /// <summary>
    /// Antialiased bilinear taps for outputs <paramref name="outStart"/>..+<paramref name="count"/> of a
    /// resize from <paramref name="inSize"/> to <paramref name="outSize"/> (Pillow 9.4 Resample.c).
    /// <paramref name="inExtent"/> is Pillow's box width: <paramref name="inSize"/> itself, except after a DCT-scaled
    /// decode, where it is the full size times the scale (a scaled odd size is rounded up; the box keeps it aligned).
    /// </summary>
    public void Compute(int inSize, double inExtent, int outSize, int outStart, int count)
    {
        var scale = (double)(float)inExtent / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = filterScale; // bilinear support is 1.0
        var kernelSize = ((int)Math.Ceiling(support) * 2) + 1;
        Prepare(count, kernelSize);
        var weights = _weights;
        var inverse = 1.0 / filterScale;
        for (var i = 0; i < count; i++)
        {
            var center = (outStart + i + 0.5) * scale;
            var (xmin, end) = Span(center, support, inSize);
            var xmax = end - xmin;
            var total = 0.0;
            for (var x = 0; x < xmax; x++)
            {
                var w = Bilinear((x + xmin - center + 0.5) * inverse);
                weights[x] = w;
                total += w;
            }

            var row = Taps.AsSpan(i * kernelSize, kernelSize);
            row.Clear();
            for (var x = 0; x < xmax; x++)
            {
                row[x] = ToFixed(total != 0.0 ? weights[x] / total : weights[x]);
            }

            First[i] = xmin;
            Length[i] = Math.Max(xmax, 0);
        }
    }

    /// <summary>
    /// The input range <c>[Start, End)</c> that <see cref="Compute"/> (or, for an unchanged size, <see cref="ComputeIdentity"/>)
    /// reads for outputs <paramref name="outStart"/>..+<paramref name="count"/>, without computing the taps.
    /// </summary>
    public static (int Start, int End) InputRange(int inSize, double inExtent, int outSize, int outStart, int count)
    {
        if (count <= 0)
        {
            return (0, 0);
        }

        if (inSize == outSize && inExtent == inSize)
        {
            return (outStart, outStart + count);
        }

        var scale = (double)(float)inExtent / outSize;
        var support = Math.Max(scale, 1.0);
        var start = Span((outStart + 0.5) * scale, support, inSize).Start;
        var end = Span((outStart + count - 1 + 0.5) * scale, support, inSize).End;
        return (start, Math.Max(end, start));
    }

    /// <summary>Taps that copy input <c>outStart + i</c> to output <c>i</c> (Pillow skips a pass whose size is unchanged).</summary>
    public void ComputeIdentity(int outStart, int count)
    {
        Prepare(count, 1);
        for (var i = 0; i < count; i++)
        {
            First[i] = outStart + i;
            Length[i] = 1;
            Taps[i] = 1 << PrecisionBits;
        }
    }

    private static (int Start, int End) Span(double center, double support, int inSize) =>
        (Math.Max((int)(center - support + 0.5), 0), Math.Min((int)(center + support + 0.5), inSize));

    private static double Bilinear(double x)
    {
        x = Math.Abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    private static int ToFixed(double w) =>
        w < 0 ? (int)(-0.5 + (w * (1 << PrecisionBits))) : (int)(0.5 + (w * (1 << PrecisionBits)));

    private void Prepare(int count, int kernelSize)
    {
        Count = count;
        KernelSize = kernelSize;
        if (First.Length < count)
        {
            First = new int[count];
            Length = new int[count];
        }

        if (Taps.Length < count * kernelSize)
        {
            Taps = new int[count * kernelSize];
        }

        if (_weights.Length < kernelSize)
        {
            _weights = new double[kernelSize];
        }
    }
}
