using Inference.Engine.Inference;

namespace Inference.Engine.Tests.Support;

/// <summary>An <see cref="InferenceResult"/>'s values, copied out so that the result can be disposed.</summary>
internal sealed record ResultCopy(float[] Logits, float[] Embedding, int BatchSize, string Version = "")
{
    public static async Task<ResultCopy> Of(ValueTask<InferenceResult> pending)
    {
        using var result = await pending.ConfigureAwait(false);
        return new ResultCopy(result.Logits.ToArray(), result.Embedding.ToArray(), result.BatchSize, result.Model.Version);
    }
}
