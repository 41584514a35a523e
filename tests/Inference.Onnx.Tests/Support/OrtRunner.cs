using Inference.Onnx.Preparation;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Onnx.Tests.Support;

/// <summary>Runs prepared models in ONNX Runtime (CPU, 2 intra-op threads) the way the engine will.</summary>
internal static class OrtRunner
{
    /// <param name="inline">Create it from <see cref="PreparedModel.InlineModelBytes"/> instead of the referencing bytes.</param>
    public static InferenceSession CreateSession(PreparedModel prepared, bool applyConfigEntries = true, bool inline = false)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        if (applyConfigEntries)
        {
            foreach (var (key, value) in prepared.SessionConfigEntries)
            {
                options.AddSessionConfigEntry(key, value);
            }
        }

        return new InferenceSession(inline ? prepared.InlineModelBytes() : prepared.ModelBytes, options);
    }

    /// <summary>Runs one batch and returns each requested output's values and shape.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> Run(
        InferenceSession session, string inputName, float[] input, long[] inputShape, params string[] outputs)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [value], outputs);
        var byName = new Dictionary<string, (float[], long[])>();
        for (var i = 0; i < outputs.Length; i++)
        {
            byName[outputs[i]] = (results[i].GetTensorDataAsSpan<float>().ToArray(), results[i].GetTensorTypeAndShape().Shape);
        }

        return byName;
    }

    /// <summary>Normal-ish pixels (sum of uniforms, unit variance) like a normalized image batch.</summary>
    public static float[] RandomImages(int batch, int size, int seed)
    {
        var random = new Random(seed);
        var values = new float[batch * 3 * size * size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 2);
        }

        return values;
    }
}
