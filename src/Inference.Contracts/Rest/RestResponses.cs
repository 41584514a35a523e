namespace Inference.Contracts.Rest;

/// <summary>One class of a top-k answer: its index in the model's output, label, and softmax probability.</summary>
public sealed record PredictionDto(int Index, string Label, float Probability);

/// <summary>Answer of <c>POST /v1/models/{model}/classify</c> for one image, predictions in descending probability.</summary>
public sealed record ClassifyResponse(string Model, string Version, IReadOnlyList<PredictionDto> Predictions);

/// <summary>One image's predictions inside a multipart answer.</summary>
public sealed record ClassifyResult(IReadOnlyList<PredictionDto> Predictions);

/// <summary>Answer of a multipart classify request: one result per <c>image</c> part, in part order.</summary>
public sealed record ClassifyBatchResponse(string Model, string Version, IReadOnlyList<ClassifyResult> Results);

/// <summary>Answer of <c>POST /v1/models/{model}/embed</c>: the pooled feature vector.</summary>
public sealed record EmbedResponse(string Model, int Dimension, IReadOnlyList<float> Embedding);

/// <summary>One image's embedding inside a multipart answer.</summary>
public sealed record EmbedResult(IReadOnlyList<float> Embedding);

/// <summary>Answer of a multipart embed request: one embedding per <c>image</c> part, in part order.</summary>
public sealed record EmbedBatchResponse(string Model, int Dimension, IReadOnlyList<EmbedResult> Results);

/// <summary>Answer of <c>GET /v1/models</c>.</summary>
public sealed record ModelListResponse(IReadOnlyList<ModelInfo> Models);

/// <summary>Body of <c>/health/live</c> and <c>/health/ready</c>.</summary>
public sealed record HealthResponse(string Status, IReadOnlyList<ModelHealth> Models);

/// <summary>One model's state in a health answer.</summary>
public sealed record ModelHealth(string Name, string State, string? Error);
