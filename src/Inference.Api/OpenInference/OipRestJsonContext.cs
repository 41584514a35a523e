using System.Text.Json.Serialization;

namespace Inference.Api.OpenInference;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ServerMetadataBody))]
[JsonSerializable(typeof(ModelMetadataBody))]
[JsonSerializable(typeof(TensorMetadataBody))]
internal sealed partial class OipRestJsonContext : JsonSerializerContext;

internal sealed record ModelMetadataBody(
    string Name,
    IReadOnlyList<string> Versions,
    string Platform,
    IReadOnlyList<TensorMetadataBody> Inputs,
    IReadOnlyList<TensorMetadataBody> Outputs,
    IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>The REST body: the gRPC message's fields, and the model's precision as a parameter (a REST extension).</summary>
    public static ModelMetadataBody From(Contracts.OpenInference.ModelMetadataResponse metadata, string precision) => new(
        metadata.Name,
        [.. metadata.Versions],
        metadata.Platform,
        [.. metadata.Inputs.Select(static t => new TensorMetadataBody(t.Name, t.Datatype, [.. t.Shape]))],
        [.. metadata.Outputs.Select(static t => new TensorMetadataBody(t.Name, t.Datatype, [.. t.Shape]))],
        new Dictionary<string, string> { ["precision"] = precision });
}

internal sealed record ServerMetadataBody(string Name, string Version, IReadOnlyList<string> Extensions);

internal sealed record TensorMetadataBody(string Name, string Datatype, IReadOnlyList<long> Shape);
