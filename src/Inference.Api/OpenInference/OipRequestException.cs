namespace Inference.Api.OpenInference;

/// <summary>A malformed OIP REST request body (bad JSON, a missing field, binary sizes that do not add up).</summary>
public sealed class OipRequestException(string message) : Exception(message);
