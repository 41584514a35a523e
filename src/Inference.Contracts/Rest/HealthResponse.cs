namespace Inference.Contracts.Rest;

/// <summary>Body of <c>/health/live</c> and <c>/health/ready</c>.</summary>
public sealed record HealthResponse(string Status, IReadOnlyList<ModelHealth> Models);
