using System.Numerics.Tensors;
using Inference.Engine.Models;

namespace Inference.Engine.Postprocessing;

/// <summary>Softmax, top-k and L2 normalisation over output rows.</summary>
public static class Classification
{
    /// <summary>Numerically stable softmax of <paramref name="logits"/> into <paramref name="probabilities"/>.</summary>
    /// <remarks>
    /// Shifts by the largest logit first: <see cref="TensorPrimitives.SoftMax{T}(ReadOnlySpan{T}, Span{T})"/> alone
    /// overflows to NaN once a logit passes ~88.
    /// </remarks>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        var max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, probabilities);
        TensorPrimitives.Exp(probabilities, probabilities);
        TensorPrimitives.Divide(probabilities, TensorPrimitives.Sum(probabilities), probabilities);
    }

    /// <summary>
    /// The <paramref name="k"/> most probable classes, in descending probability (ties: lower index first).
    /// </summary>
    public static Prediction[] TopK(ReadOnlySpan<float> logits, int k, ModelDescriptor model)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        k = Math.Min(k, logits.Length);
        Span<float> probabilities = logits.Length <= 4096 ? stackalloc float[logits.Length] : new float[logits.Length];
        Softmax(logits, probabilities);

        Span<int> best = k <= 256 ? stackalloc int[k] : new int[k];
        var count = TopIndices(probabilities, best);
        var predictions = new Prediction[count];
        for (var i = 0; i < count; i++)
        {
            predictions[i] = new Prediction(best[i], model.LabelOf(best[i]), probabilities[best[i]]);
        }

        return predictions;
    }

    /// <summary>
    /// Fills <paramref name="best"/> with the indices of the largest <paramref name="values"/>, largest first (ties:
    /// lower index first), and returns how many it filled: the one top-k selection of every protocol. Ordered by
    /// <see cref="float.CompareTo(float)"/>, so non-finite values rank totally: +Infinity first, NaN last.
    /// </summary>
    public static int TopIndices(ReadOnlySpan<float> values, Span<int> best)
    {
        var k = Math.Min(best.Length, values.Length);
        var count = 0;
        if (k == 0)
        {
            return 0;
        }

        for (var i = 0; i < values.Length; i++)
        {
            // Insertion into a small sorted list: O(n*k), fast for the k users ask for (1..10).
            var p = values[i];
            if (count == k && p.CompareTo(values[best[count - 1]]) <= 0)
            {
                continue;
            }

            var position = count < k ? count++ : k - 1;
            while (position > 0 && values[best[position - 1]].CompareTo(p) < 0)
            {
                best[position] = best[position - 1];
                position--;
            }

            best[position] = i;
        }

        return count;
    }

    /// <summary>Scales <paramref name="vector"/> to unit L2 norm in place (a zero vector stays zero).</summary>
    public static void L2Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0 && float.IsFinite(norm))
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }
}
