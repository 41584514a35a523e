namespace Inference.Contracts.Rest;

/// <summary>One class of a top-k answer: its index in the model's output, label, and softmax probability.</summary>
public sealed record PredictionDto(int Index, string Label, float Probability);
