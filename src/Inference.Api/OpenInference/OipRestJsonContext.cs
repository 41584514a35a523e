using System.Text.Json.Serialization;

namespace Inference.Api.OpenInference;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ServerMetadataBody))]
[JsonSerializable(typeof(ModelMetadataBody))]
[JsonSerializable(typeof(TensorMetadataBody))]
internal sealed partial class OipRestJsonContext : JsonSerializerContext;
