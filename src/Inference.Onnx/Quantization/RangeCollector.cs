namespace Inference.Onnx.Quantization;

/// <summary>How a tensor's calibration range is chosen from the values seen.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen.</summary>
    MinMax,

    /// <summary>The values at the given percentile of each tail (e.g. 99.99%): outliers are clipped.</summary>
    Percentile,
}

/// <summary>A float tensor's calibrated range (always containing 0).</summary>
public readonly record struct TensorRange(float Min, float Max);

/// <summary>
/// Accumulates, per tensor, the values a calibration run produces: min/max, and for
/// <see cref="CalibrationMethod.Percentile"/> a histogram of each sign's magnitudes whose bin width doubles
/// (adjacent bins merged exactly) when a larger value arrives. The result depends only on the values and
/// their order, so the same images in the same order give the same ranges.
/// </summary>
public sealed class RangeCollector
{
    private const int Bins = 8192;

    private readonly Dictionary<string, Accumulator> _tensors = new(StringComparer.Ordinal);

    public RangeCollector(CalibrationMethod method, double percentile = 99.99)
    {
        if (method == CalibrationMethod.Percentile && percentile is not (> 50 and <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be above 50 and at most 100.");
        }

        Method = method;
        Percentile = percentile;
    }

    public CalibrationMethod Method { get; }

    public double Percentile { get; }

    /// <summary>Adds one batch of values of <paramref name="tensor"/>.</summary>
    public void Add(string tensor, ReadOnlySpan<float> values)
    {
        ArgumentException.ThrowIfNullOrEmpty(tensor);
        if (!_tensors.TryGetValue(tensor, out var accumulator))
        {
            accumulator = new Accumulator(Method == CalibrationMethod.Percentile);
            _tensors.Add(tensor, accumulator);
        }

        accumulator.Add(values);
    }

    /// <summary>The range of every tensor seen, by name.</summary>
    public IReadOnlyDictionary<string, TensorRange> Ranges()
    {
        var tail = (100 - Percentile) / 100;
        return _tensors.ToDictionary(
            pair => pair.Key,
            pair => Method == CalibrationMethod.Percentile ? pair.Value.PercentileRange(tail) : pair.Value.MinMaxRange(),
            StringComparer.Ordinal);
    }

    private sealed class Accumulator(bool withHistogram)
    {
        private readonly Histogram? _positive = withHistogram ? new Histogram() : null;
        private readonly Histogram? _negative = withHistogram ? new Histogram() : null;
        private float _min = float.PositiveInfinity;
        private float _max = float.NegativeInfinity;

        public void Add(ReadOnlySpan<float> values)
        {
            var min = _min;
            var max = _max;
            foreach (var value in values)
            {
                if (!float.IsFinite(value))
                {
                    throw new OnnxModelException("A calibration run produced a value that is not finite; the model cannot be quantized.");
                }

                min = Math.Min(min, value);
                max = Math.Max(max, value);
            }

            _min = min;
            _max = max;
            if (_positive is null || _negative is null)
            {
                return;
            }

            _positive.Grow(Math.Max(0, max));
            _negative.Grow(Math.Max(0, -min));
            foreach (var value in values)
            {
                if (value > 0)
                {
                    _positive.Add(value);
                }
                else if (value < 0)
                {
                    _negative.Add(-value);
                }
                else
                {
                    _positive.AddZero();
                }
            }
        }

        public TensorRange MinMaxRange() => new(Math.Min(0, _min), Math.Max(0, _max));

        public TensorRange PercentileRange(double tail)
        {
            var total = _positive!.Count + _negative!.Count;
            var allowed = (long)Math.Floor(tail * total);
            var upper = Math.Min(_positive.Threshold(allowed), Math.Max(0, _max));
            var lower = Math.Min(_negative.Threshold(allowed), Math.Max(0, -_min));
            return new TensorRange(-lower, upper);
        }
    }

    /// <summary>Counts magnitudes in <see cref="Bins"/> bins of equal width over [0, Bins x width).</summary>
    private sealed class Histogram
    {
        private readonly long[] _counts = new long[Bins];
        private double _width;

        public long Count { get; private set; }

        public void Grow(float magnitude)
        {
            if (magnitude <= 0)
            {
                return;
            }

            if (_width == 0)
            {
                // A power of two, so that doubling it stays exact.
                _width = Math.Pow(2, Math.Ceiling(Math.Log2(magnitude / (Bins - 1))));
            }

            while (magnitude >= _width * Bins)
            {
                for (var i = 0; i < Bins / 2; i++)
                {
                    _counts[i] = _counts[2 * i] + _counts[(2 * i) + 1];
                }

                Array.Clear(_counts, Bins / 2, Bins / 2);
                _width *= 2;
            }
        }

        public void Add(float magnitude)
        {
            _counts[Math.Min(Bins - 1, (int)(magnitude / _width))]++;
            Count++;
        }

        public void AddZero()
        {
            _counts[0]++;
            Count++;
        }

        /// <summary>The smallest bin edge with at most <paramref name="allowed"/> values above it.</summary>
        public float Threshold(long allowed)
        {
            long above = 0;
            for (var i = Bins - 1; i >= 0; i--)
            {
                if (above + _counts[i] > allowed)
                {
                    return (float)((i + 1) * _width);
                }

                above += _counts[i];
            }

            return 0;
        }
    }
}
