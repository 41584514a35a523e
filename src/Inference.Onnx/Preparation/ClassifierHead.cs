namespace Inference.Onnx.Preparation;

/// <summary>The final classifier found in a graph and the embedding tensor that feeds it.</summary>
internal sealed record ClassifierHead(
    string EmbeddingTensor,
    string WeightName,
    string? BiasName,
    bool WeightTransposed,
    int? EmbeddingWidth);
