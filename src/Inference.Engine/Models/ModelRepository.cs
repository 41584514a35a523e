using System.Globalization;
using Inference.Engine.Configuration;

namespace Inference.Engine.Models;

/// <summary>
/// Finds models in a folder laid out as <c>&lt;repo&gt;/&lt;name&gt;/model.onnx</c> or
/// <c>&lt;repo&gt;/&lt;name&gt;/&lt;version&gt;/model.onnx</c> (which numeric versions serve is the model's <c>versionPolicy</c>),
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

    /// <summary>The served (highest) version of <paramref name="name"/>, as before versions had a policy.</summary>
    public ModelSource Resolve(string name) => Resolve(name, null);

    /// <summary>
    /// Version <paramref name="version"/> of <paramref name="name"/> (null: the highest). A name must be a plain folder
    /// name and a version a positive integer, so neither can reach outside the repository.
    /// </summary>
    public ModelSource Resolve(string name, long? version)
    {
        var modelDirectory = ModelDirectory(name);
        if (!Directory.Exists(modelDirectory))
        {
            throw new ModelConfigException($"Model '{name}': no folder '{modelDirectory}' in the model repository '{Root}'.");
        }

        string versionText;
        string versionDirectory;
        if (version is { } requested)
        {
            versionText = FormatVersion(requested);
            versionDirectory = Path.Combine(modelDirectory, versionText);
            if (!Directory.Exists(versionDirectory))
            {
                versionDirectory = requested == 1 && VersionsOf(modelDirectory).Count == 0 ? modelDirectory
                    : throw new ModelConfigException($"Model '{name}': no version folder '{versionDirectory}'.");
            }
        }
        else
        {
            var versions = VersionsOf(modelDirectory);
            (versionText, versionDirectory) = versions.Count > 0
                ? (FormatVersion(versions[^1]), Path.Combine(modelDirectory, FormatVersion(versions[^1])))
                : ("1", modelDirectory);
        }

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

            return new ModelSource(name, versionText, versionDirectory, null, labels, config, labelsPath, preprocessGraph);
        }

        return new ModelSource(name, versionText, versionDirectory, modelPath, labels, config, labelsPath, preprocessGraph);
    }

    /// <summary>Every model folder of the repository (valid names only), sorted.</summary>
    public IReadOnlyList<string> ModelNames() =>
        Directory.Exists(Root)
            ? [.. Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Where(IsValidName).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>
    /// The versions of <paramref name="name"/> on disk, ascending: its numeric folders that hold a model.onnx (or a
    /// config.json, for demo weights); a model without version folders has version 1 (its own folder); an absent model none.
    /// </summary>
    public IReadOnlyList<long> Versions(string name)
    {
        var modelDirectory = ModelDirectory(name);
        if (!Directory.Exists(modelDirectory))
        {
            return [];
        }

        var versions = VersionsOf(modelDirectory);
        return versions.Count > 0 ? versions : [1];
    }

    /// <summary>The policy of <paramref name="name"/>'s config.json in its model folder (the default when it has none).</summary>
    public VersionPolicy PolicyOf(string name) =>
        ModelConfigLoader.Load(FindBeside(ConfigFileName, ModelDirectory(name), ModelDirectory(name))).VersionPolicy;

    /// <summary>
    /// What the files of one version look like now (names, sizes and write times of the version folder's files and the
    /// model folder's shared ones): a change means the version must be reloaded.
    /// </summary>
    public string Fingerprint(string name, long version)
    {
        var modelDirectory = ModelDirectory(name);
        var versionDirectory = Path.Combine(modelDirectory, FormatVersion(version));
        var files = Directory.Exists(versionDirectory) ? Directory.EnumerateFiles(versionDirectory, "*", SearchOption.AllDirectories) : [];
        var shared = Directory.Exists(modelDirectory) ? Directory.EnumerateFiles(modelDirectory) : [];
        return Describe(files.Concat(shared));
    }

    private static string Describe(IEnumerable<string> files) =>
        string.Join('|', files.Order(StringComparer.Ordinal).Select(static path =>
        {
            var info = new FileInfo(path);
            return info.Exists ? string.Create(CultureInfo.InvariantCulture, $"{path}:{info.Length}:{info.LastWriteTimeUtc.Ticks}") : path;
        }));

    /// <summary>Every file under the model's folder (names, sizes, write times): what the poller compares between scans.</summary>
    public string FolderFingerprint(string name)
    {
        var modelDirectory = ModelDirectory(name);
        return Directory.Exists(modelDirectory) ? Describe(Directory.EnumerateFiles(modelDirectory, "*", SearchOption.AllDirectories)) : "";
    }

    /// <summary>A version as text: a positive integer, no sign, no leading zeros.</summary>
    public static string FormatVersion(long version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a client's version: a positive integer only (so "..", "1/.." or "-1" are refused, never joined to a path).</summary>
    public static bool TryParseVersion(string? text, out long version) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0 && text!.Length <= 18;

    private string ModelDirectory(string name)
    {
        if (!IsValidName(name))
        {
            throw new ModelConfigException($"'{name}' is not a valid model name: use letters, digits, '.', '_' and '-'.");
        }

        var directory = Path.GetFullPath(Path.Combine(Root, name));
        return Path.GetDirectoryName(directory) == Root.TrimEnd(Path.DirectorySeparatorChar)
            ? directory
            : throw new ModelConfigException($"'{name}' does not name a folder of the repository.");
    }

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 128 && name != "." && name != ".." &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static List<long> VersionsOf(string modelDirectory)
    {
        var versions = new List<long>();
        foreach (var directory in Directory.EnumerateDirectories(modelDirectory))
        {
            if (TryParseVersion(Path.GetFileName(directory), out var number) &&
                FormatVersion(number) == Path.GetFileName(directory) &&
                (File.Exists(Path.Combine(directory, ModelFileName)) || File.Exists(Path.Combine(directory, ConfigFileName))))
            {
                versions.Add(number);
            }
        }

        versions.Sort();
        return versions;
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
