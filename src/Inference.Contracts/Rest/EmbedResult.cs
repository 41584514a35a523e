namespace Inference.Contracts.Rest;

/// <summary>One image's embedding inside a multipart answer.</summary>
public sealed record EmbedResult(IReadOnlyList<float> Embedding);
