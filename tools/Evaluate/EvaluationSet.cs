using System.Globalization;

namespace Inference.Tools.Evaluate;

/// <summary>One labelled image.</summary>
public sealed record LabelledImage(string Path, int Class);

/// <summary>Reads the two data layouts the evaluator takes.</summary>
public static class EvaluationSet
{
    private static readonly HashSet<string> ImageExtensions =
        new([".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// ImageFolder: one subfolder per class, named as a line of the model's labels or as the class index.
    /// </summary>
    public static IReadOnlyList<LabelledImage> FromImageFolder(string root, IReadOnlyList<string> labels)
    {
        var byLabel = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Count; i++)
        {
            byLabel.TryAdd(labels[i], i);
        }

        var images = new List<LabelledImage>();
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            var index = byLabel.TryGetValue(name, out var labelled) ? labelled
                : int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number
                : throw new InvalidDataException($"Folder '{folder}' is neither a line of the model's labels nor a class index.");
            images.AddRange(Images(folder).Select(path => new LabelledImage(path, index)));
        }

        return images;
    }

    /// <summary>ImageNet val: a flat folder plus a ground-truth file of lines <c>&lt;file name&gt; &lt;class index&gt;</c>.</summary>
    public static IReadOnlyList<LabelledImage> FromGroundTruth(string root, string groundTruth)
    {
        var images = new List<LabelledImage>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(groundTruth))
        {
            lineNumber++;
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw new InvalidDataException($"{groundTruth}:{lineNumber}: expected '<file name> <class index>', got '{line}'.");
            }

            var path = Path.Combine(root, parts[0]);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{groundTruth}:{lineNumber}: '{path}' does not exist.", path);
            }

            images.Add(new LabelledImage(path, index));
        }

        return images;
    }

    private static IEnumerable<string> Images(string folder) =>
        Directory.GetFiles(folder).Where(f => ImageExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal);
}
