namespace Inference.Contracts.Rest;

/// <summary>One model's state in a health answer.</summary>
public sealed record ModelHealth(string Name, string State, string? Error);
