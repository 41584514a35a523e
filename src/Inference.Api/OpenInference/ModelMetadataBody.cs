namespace Inference.Api.OpenInference;

internal sealed record ModelMetadataBody(
    string Name, IReadOnlyList<string> Versions, string Platform, IReadOnlyList<TensorMetadataBody> Inputs, IReadOnlyList<TensorMetadataBody> Outputs)
{
    public static ModelMetadataBody From(Contracts.OpenInference.ModelMetadataResponse metadata) => new(
        metadata.Name,
        [.. metadata.Versions],
        metadata.Platform,
        [.. metadata.Inputs.Select(static t => new TensorMetadataBody(t.Name, t.Datatype, [.. t.Shape]))],
        [.. metadata.Outputs.Select(static t => new TensorMetadataBody(t.Name, t.Datatype, [.. t.Shape]))]);
}
