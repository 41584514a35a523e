using System.Globalization;
using Inference.Api.DataPlane;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Postprocessing;

namespace Inference.Api.OpenInference;

/// <summary>
/// Which outputs a request gets: the model's logits (under its own name), <c>probabilities</c> and
/// <c>embedding</c>, by name; with none requested, the model's own output (the logits). Triton's
/// classification extension turns an output into BYTES <c>"value:index:label"</c> of shape [N, k], where the
/// value is that output's own value (a logit for the logits, a probability for <c>probabilities</c>).
/// </summary>
internal sealed class OipOutputPlan
{
    private readonly ModelDescriptor _model;
    private readonly IReadOnlyList<OipRequestedOutput> _outputs;

    private OipOutputPlan(ModelDescriptor model, IReadOnlyList<OipRequestedOutput> outputs, InferenceOutputs engineOutputs)
    {
        _model = model;
        _outputs = outputs;
        EngineOutputs = engineOutputs;
    }

    public InferenceOutputs EngineOutputs { get; }

    /// <summary>The outputs a model offers, in metadata order, with their per-image width.</summary>
    public static IEnumerable<(string Name, int Width)> Available(ModelDescriptor model)
    {
        if (model.LogitsOutputName is { } logits)
        {
            yield return (logits, model.NumClasses);
            yield return (OipNames.Probabilities, model.NumClasses);
        }
        if (model.EmbeddingOutputName is not null && model.EmbeddingDimension is { } dimension)
        {
            yield return (OipNames.Embedding, dimension);
        }
    }

    /// <summary>The plan for <paramref name="requested"/>; with none, the logits, in binary when <paramref name="binaryByDefault"/>.</summary>
    public static OipOutputPlan For(ModelDescriptor model, IReadOnlyList<OipRequestedOutput> requested, bool binaryByDefault = false)
    {
        if (requested.Count == 0)
        {
            requested = [new OipRequestedOutput(model.LogitsOutputName ?? OipNames.Embedding, 0, binaryByDefault)];
        }

        var available = Available(model).Select(static o => o.Name).ToHashSet(StringComparer.Ordinal);
        var flags = (InferenceOutputs)0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in requested)
        {
            if (!available.Contains(output.Name))
            {
                throw OipTensorCodec.Invalid($"Model '{model.Name}' has no output '{output.Name}'; it offers {string.Join(", ", available.Select(n => $"'{n}'"))}.");
            }

            if (!seen.Add(output.Name))
            {
                throw OipTensorCodec.Invalid($"Output '{output.Name}' is requested twice.");
            }

            if (output.ClassificationCount < 0)
            {
                throw OipTensorCodec.Invalid($"Output '{output.Name}': classification must be a positive count, not {output.ClassificationCount}.");
            }

            flags |= output.Name == OipNames.Embedding ? InferenceOutputs.Embedding : InferenceOutputs.Logits;
        }

        return new OipOutputPlan(model, requested, flags);
    }

    public List<OipOutput> Build(IReadOnlyList<InferenceResult> results)
    {
        var outputs = new List<OipOutput>(_outputs.Count);
        foreach (var requested in _outputs)
        {
            var width = requested.Name == OipNames.Embedding ? _model.EmbeddingDimension ?? 0 : _model.NumClasses;
            var values = new float[results.Count * width];
            for (var i = 0; i < results.Count; i++)
            {
                var row = values.AsSpan(i * width, width);
                Fill(requested.Name, results[i], row);
            }

            outputs.Add(requested.ClassificationCount > 0
                ? Classify(requested, values, results.Count, width)
                : new OipOutput(requested.Name, OipNames.Fp32, [results.Count, width], values, null, requested.BinaryData));
        }

        return outputs;
    }

    private void Fill(string name, InferenceResult result, Span<float> row)
    {
        var source = name == OipNames.Embedding ? result.Embedding : result.Logits;
        if (source.Length != row.Length)
        {
            throw new InferenceException(
                InferenceErrorCode.ExecutionFailed, $"Model '{_model.Name}' produced {source.Length} values for '{name}'; its metadata says {row.Length}.");
        }

        if (name == OipNames.Probabilities)
        {
            Classification.Softmax(source, row);
        }
        else
        {
            source.CopyTo(row);
        }
    }

    private OipOutput Classify(OipRequestedOutput requested, float[] values, int batch, int width)
    {
        var k = InferenceDataPlane.TopK(requested.ClassificationCount, width, OipNames.ClassificationParameter);
        var labelled = requested.Name != OipNames.Embedding;
        var strings = new string[batch * k];
        var order = new int[k];
        for (var i = 0; i < batch; i++)
        {
            var row = values.AsSpan(i * width, width);
            Classification.TopIndices(row, order);
            for (var j = 0; j < k; j++)
            {
                var index = order[j];
                var value = row[index].ToString("F6", CultureInfo.InvariantCulture);
                strings[(i * k) + j] = labelled
                    ? $"{value}:{index.ToString(CultureInfo.InvariantCulture)}:{_model.LabelOf(index)}"
                    : $"{value}:{index.ToString(CultureInfo.InvariantCulture)}";
            }
        }

        return new OipOutput(requested.Name, OipNames.Bytes, [batch, k], null, strings, requested.BinaryData);
    }
}
