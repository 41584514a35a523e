namespace Inference.Contracts.Rest;

/// <summary>Answer of <c>GET /v1/models</c>.</summary>
public sealed record ModelListResponse(IReadOnlyList<ModelInfo> Models);
