using Inference.Engine.Configuration;

namespace Inference.Engine.Models;

/// <summary>Where one model's files are, as found in the repository.</summary>
/// <param name="ModelPath">The model.onnx to serve, or null when demo weights must be generated.</param>
public sealed record ModelSource(
    string Name,
    string Version,
    string Directory,
    string? ModelPath,
    IReadOnlyList<string> Labels,
    ModelConfig Config);
