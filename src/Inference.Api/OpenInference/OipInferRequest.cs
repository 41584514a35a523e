namespace Inference.Api.OpenInference;

/// <summary>A protocol-neutral ModelInfer request; both bindings decode into it.</summary>
internal sealed record OipInferRequest(
    string ModelName, string ModelVersion, string Id, IReadOnlyList<OipInput> Inputs, IReadOnlyList<OipRequestedOutput> Outputs);
