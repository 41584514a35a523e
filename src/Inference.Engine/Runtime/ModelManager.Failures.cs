using System.Text.RegularExpressions;
using Inference.Engine.Configuration;
using Inference.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Runtime;

internal sealed partial class ModelManager
{
    /// <summary>
    /// Why a model failed to load, in words safe to show any client: the service's own explanations (a bad
    /// config.json key, a graph that is no image classifier) with every absolute path cut: to the part from the
    /// model's own folder on (<c>resnet50/3/model.onnx</c>, which the client can place), else to its last segment;
    /// for any other failure only its kind, never an exception's text. The full text is in the server log.
    /// </summary>
    internal static string FailureReason(Exception exception, string? model = null) => exception switch
    {
        ModelConfigException or OnnxModelException => WithoutPaths(FirstLine(exception.Message), model).TrimEnd('.'),
        OnnxRuntimeException => "ONNX Runtime could not load the model (details in the server log)",
        FileNotFoundException or DirectoryNotFoundException => "a model file is missing (details in the server log)",
        IOException or UnauthorizedAccessException => "a model file could not be read (details in the server log)",
        OutOfMemoryException => "the server ran out of memory loading it (details in the server log)",
        _ => "it could not be loaded (details in the server log)",
    };

    private static string WithoutPaths(string text, string? model) =>
        AbsolutePath().Replace(text, match => FromModelFolder(match.Value, model) ?? (LastSegment(match.Value) is { Length: > 0 } name ? name : "(path)"));

    private static string? FromModelFolder(string path, string? model)
    {
        if (string.IsNullOrEmpty(model))
        {
            return null;
        }

        var normalized = path.Replace('\\', '/');
        var at = normalized.LastIndexOf($"/{model}/", StringComparison.Ordinal);
        return at < 0 ? null : normalized[(at + 1)..];
    }

    private static string LastSegment(string path)
    {
        var trimmed = path.TrimEnd('/', '\\');
        return trimmed[(trimmed.LastIndexOfAny(['/', '\\']) + 1)..];
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd('\r');

    /// <summary>A Unix or Windows absolute path: up to whitespace, a quote, a comma, a semicolon or a colon.</summary>
    [GeneratedRegex(@"(?<![\w.~])(?:[A-Za-z]:[\\/]|/)[^\s'"",;:]*")]
    private static partial Regex AbsolutePath();
}
