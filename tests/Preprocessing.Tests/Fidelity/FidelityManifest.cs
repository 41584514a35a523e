using System.Text.Json;
using Inference.TestSupport;

namespace Inference.Preprocessing.Tests.Fidelity;

/// <summary>The files listed in <c>shared/fidelity/expected/manifest.json</c> and their expected crops.</summary>
internal static class FidelityManifest
{
    /// <summary>The file that Pillow decodes with its own CMYK formula (see the README).</summary>
    public const string CmykFile = "cmyk.jpg";

    public static IEnumerable<string> Names()
    {
        if (SharedData.Fidelity is not { } root)
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "expected", "manifest.json")));
        return document.RootElement.GetProperty("images").EnumerateObject().Select(p => p.Name).ToList();
    }

    public static (byte[] Encoded, byte[] Expected, JsonElement Entry) Load(string name)
    {
        var root = SharedData.Fidelity!;
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "expected", "manifest.json")));
        var entry = document.RootElement.GetProperty("images").GetProperty(name).Clone();
        var folder = entry.GetProperty("folder").GetString()!;
        return (File.ReadAllBytes(Path.Combine(root, folder, name)), File.ReadAllBytes(Path.Combine(root, "expected", name + ".rgb")), entry);
    }

    /// <summary>Mean absolute difference and maximum difference in pixel units.</summary>
    public static (double Mad, int Max) Compare(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected)
    {
        long sum = 0;
        var max = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = Math.Abs(actual[i] - expected[i]);
            sum += d;
            max = Math.Max(max, d);
        }

        return ((double)sum / expected.Length, max);
    }
}
