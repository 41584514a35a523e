using System.Text.Json.Serialization;
using Inference.Contracts.Rest;

namespace Inference.Api.Rest;

/// <summary>Source-generated JSON for the REST answers (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClassifyResponse))]
[JsonSerializable(typeof(ClassifyBatchResponse))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(ModelListResponse))]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class InferenceJsonContext : JsonSerializerContext;
