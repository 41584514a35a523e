namespace Inference.Engine.Inference;

[Flags]
public enum InferenceOutputs
{
    Logits = 1,
    Embedding = 2,
    All = Logits | Embedding,
}
