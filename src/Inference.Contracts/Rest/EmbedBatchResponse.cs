namespace Inference.Contracts.Rest;

/// <summary>Answer of a multipart embed request: one embedding per <c>image</c> part, in part order.</summary>
public sealed record EmbedBatchResponse(string Model, int Dimension, IReadOnlyList<EmbedResult> Results);
