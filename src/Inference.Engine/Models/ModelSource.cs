using Inference.Engine.Configuration;

namespace Inference.Engine.Models;

/// <summary>Where one model's files are, as found in the repository.</summary>
/// <param name="ModelPath">The model.onnx to serve, or null when demo weights must be generated.</param>
/// <param name="LabelsPath">The labels.txt that <paramref name="Labels"/> came from, or null when there is none.</param>
/// <param name="PreprocessGraphPath">The config's <c>preprocessGraph</c> file, found beside the model or in the name folder.</param>
public sealed record ModelSource(
    string Name,
    string Version,
    string Directory,
    string? ModelPath,
    IReadOnlyList<string> Labels,
    ModelConfig Config,
    string? LabelsPath = null,
    string? PreprocessGraphPath = null);
