namespace Inference.Api.OpenInference;

internal sealed record OipInferResponse(string ModelName, string ModelVersion, string Id, IReadOnlyList<OipOutput> Outputs);
