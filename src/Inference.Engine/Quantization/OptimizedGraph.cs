using Inference.Onnx.Protos;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Quantization;

/// <summary>The graph ONNX Runtime actually runs, as written by <see cref="SessionOptions.OptimizedModelFilePath"/>.</summary>
public static class OptimizedGraph
{
    /// <summary>Counts the operators of <paramref name="modelBytes"/> after ORT's CPU optimisations at <paramref name="level"/>, keyed <c>[domain:]op</c>.</summary>
    public static SortedDictionary<string, int> OpHistogram(byte[] modelBytes, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        var histogram = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in Optimize(modelBytes, level).Graph.Node)
        {
            var key = string.IsNullOrEmpty(node.Domain) ? node.OpType : $"{node.Domain}:{node.OpType}";
            histogram[key] = histogram.GetValueOrDefault(key) + 1;
        }

        return histogram;
    }

    /// <summary>The model as ORT optimised it for this machine's CPU (hardware-specific: for inspection only).</summary>
    public static ModelProto Optimize(byte[] modelBytes, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        var path = Path.Combine(Path.GetTempPath(), $"optimized-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = level, IntraOpNumThreads = 1, OptimizedModelFilePath = path })
            using (new InferenceSession(modelBytes, options))
            {
            }

            return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>"Op x count, ..." in name order.</summary>
    public static string Describe(IReadOnlyDictionary<string, int> histogram) =>
        string.Join(", ", histogram.Select(p => $"{p.Key} x{p.Value}"));
}
