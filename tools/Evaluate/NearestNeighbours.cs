namespace Inference.Tools.Evaluate;

/// <summary>Leave-one-out k-nearest-neighbour classification on embeddings (cosine similarity), for feature extractors.</summary>
public static class NearestNeighbours
{
    /// <summary>
    /// Leave-one-out: item <paramref name="index"/>'s classes ranked by the vote of its <paramref name="k"/> most similar
    /// other items (cosine), most votes first; a tie goes to the class whose member is nearest.
    /// </summary>
    public static IReadOnlyList<int> Rank(IReadOnlyList<float[]> unitEmbeddings, IReadOnlyList<int> classes, int index, int k)
    {
        ArgumentNullException.ThrowIfNull(unitEmbeddings);
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var query = unitEmbeddings[index];
        return [.. Enumerable.Range(0, unitEmbeddings.Count).Where(j => j != index)
            .Select(j => (Class: classes[j], Similarity: Dot(query, unitEmbeddings[j])))
            .OrderByDescending(n => n.Similarity).Take(k)
            .Select((n, rank) => (n.Class, Rank: rank))
            .GroupBy(n => n.Class)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Min(n => n.Rank))
            .Select(g => g.Key)];
    }

    /// <summary>The vector scaled to unit length (unchanged when it is all zeros).</summary>
    public static float[] Normalise(float[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        var norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return norm == 0 ? v : [.. v.Select(x => (float)(x / norm))];
    }

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * (double)b[i];
        }

        return sum;
    }
}
