namespace Inference.Contracts.Rest;

/// <summary>Answer of <c>POST /v1/models/{model}/classify</c> for one image, predictions in descending probability.</summary>
public sealed record ClassifyResponse(string Model, string Version, IReadOnlyList<PredictionDto> Predictions);
