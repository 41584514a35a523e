using System.Globalization;
using Inference.Engine.Configuration;

namespace Inference.Engine.Models;

/// <summary>
/// Finds models in a folder laid out as <c>&lt;repo&gt;/&lt;name&gt;/model.onnx</c> or
/// <c>&lt;repo&gt;/&lt;name&gt;/&lt;version&gt;/model.onnx</c> (the highest numeric version is served),
/// with optional <c>labels.txt</c> and <c>config.json</c> beside the model or in the name folder.
/// </summary>
public sealed class ModelRepository
{
    public const string ModelFileName = "model.onnx";
    public const string LabelsFileName = "labels.txt";
    public const string ConfigFileName = "config.json";

    public ModelRepository(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public ModelSource Resolve(string name)
    {
        if (!IsValidName(name))
        {
            throw new ModelConfigException($"'{name}' is not a valid model name: use letters, digits, '.', '_' and '-'.");
        }

        var modelDirectory = Path.Combine(Root, name);
        if (!Directory.Exists(modelDirectory))
        {
            throw new ModelConfigException($"Model '{name}': no folder '{modelDirectory}' in the model repository '{Root}'.");
        }

        var (version, versionDirectory) = FindHighestVersion(modelDirectory) ?? ("1", modelDirectory);
        var modelPath = Path.Combine(versionDirectory, ModelFileName);
        var config = ModelConfigLoader.Load(FindBeside(ConfigFileName, versionDirectory, modelDirectory));
        var labelsPath = FindBeside(LabelsFileName, versionDirectory, modelDirectory);
        var labels = ReadLabels(labelsPath);
        string? preprocessGraph = null;
        if (config.PreprocessGraph is { } preprocessFile)
        {
            preprocessGraph = FindBeside(preprocessFile, versionDirectory, modelDirectory)
                ?? throw new ModelConfigException(
                    $"Model '{name}': config.json names preprocessGraph '{preprocessFile}', which is neither in '{versionDirectory}' nor in '{modelDirectory}'.");
        }

        if (!File.Exists(modelPath))
        {
            if (config.Architecture is null)
            {
                throw new ModelConfigException(
                    $"Model '{name}': no {ModelFileName} in '{versionDirectory}', and its {ConfigFileName} names no 'architecture' to generate demo weights for.");
            }

            return new ModelSource(name, version, versionDirectory, null, labels, config, labelsPath, preprocessGraph);
        }

        return new ModelSource(name, version, versionDirectory, modelPath, labels, config, labelsPath, preprocessGraph);
    }

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 128 && name != "." && name != ".." &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static (string Version, string Directory)? FindHighestVersion(string modelDirectory)
    {
        (long Number, string Directory)? best = null;
        foreach (var directory in Directory.EnumerateDirectories(modelDirectory))
        {
            var folderName = Path.GetFileName(directory);
            if (long.TryParse(folderName, NumberStyles.None, CultureInfo.InvariantCulture, out var number) &&
                File.Exists(Path.Combine(directory, ModelFileName)) &&
                (best is null || number > best.Value.Number))
            {
                best = (number, directory);
            }
        }

        return best is { } found ? (found.Number.ToString(CultureInfo.InvariantCulture), found.Directory) : null;
    }

    private static string? FindBeside(string fileName, string versionDirectory, string modelDirectory)
    {
        var inVersion = Path.Combine(versionDirectory, fileName);
        if (File.Exists(inVersion))
        {
            return inVersion;
        }

        var inModel = Path.Combine(modelDirectory, fileName);
        return File.Exists(inModel) ? inModel : null;
    }

    private static IReadOnlyList<string> ReadLabels(string? path)
    {
        if (path is null)
        {
            return [];
        }

        var lines = File.ReadAllLines(path).Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }
}
