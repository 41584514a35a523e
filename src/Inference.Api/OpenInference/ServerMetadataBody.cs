namespace Inference.Api.OpenInference;

internal sealed record ServerMetadataBody(string Name, string Version, IReadOnlyList<string> Extensions);
