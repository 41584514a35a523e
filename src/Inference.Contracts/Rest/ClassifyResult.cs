namespace Inference.Contracts.Rest;

/// <summary>One image's predictions inside a multipart answer.</summary>
public sealed record ClassifyResult(IReadOnlyList<PredictionDto> Predictions);
