namespace Inference.Contracts.Rest;

/// <summary>Answer of a multipart classify request: one result per <c>image</c> part, in part order.</summary>
public sealed record ClassifyBatchResponse(string Model, string Version, IReadOnlyList<ClassifyResult> Results);
