namespace Inference.Api.OpenInference;

internal sealed record TensorMetadataBody(string Name, string Datatype, IReadOnlyList<long> Shape);
