namespace Inference.Contracts.Rest;

/// <summary>Answer of <c>POST /v1/models/{model}/embed</c>: the pooled feature vector.</summary>
public sealed record EmbedResponse(string Model, int Dimension, IReadOnlyList<float> Embedding);
