namespace Inference.Api.OpenInference;

/// <summary>
/// A protocol-neutral ModelInfer request; both bindings decode into it. <paramref name="BinaryOutputs"/> is the REST
/// request's <c>binary_data_output</c>: it also applies to the default output when none is requested.
/// </summary>
internal sealed record OipInferRequest(
    string ModelName, string ModelVersion, string Id, IReadOnlyList<OipInput> Inputs, IReadOnlyList<OipRequestedOutput> Outputs, bool BinaryOutputs = false);
