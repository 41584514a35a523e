using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Inference.TestSupport;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>
/// A configuration value of the service as it runs in compose, by .NET configuration's precedence: the compose
/// environment, then the ENV of the Dockerfile stage compose builds, then appsettings.{environment}.json, then
/// appsettings.json.
/// </summary>
internal static partial class ServiceConfiguration
{
    /// <summary>The value of a key such as <c>Inference:ShutdownTimeout</c>, or null when no layer sets it.</summary>
    public static string? Get(ComposeService service, string key)
    {
        var variable = key.Replace(":", "__", StringComparison.Ordinal);
        if (service.Environment.TryGetValue(variable, out var fromCompose))
        {
            return fromCompose;
        }

        var image = ImageEnvironment(service);
        if (image.TryGetValue(variable, out var fromImage))
        {
            return fromImage;
        }

        var environment = service.Environment.GetValueOrDefault("ASPNETCORE_ENVIRONMENT") ?? image.GetValueOrDefault("ASPNETCORE_ENVIRONMENT") ?? "Production";
        return AppSetting($"appsettings.{environment}.json", key) ?? AppSetting("appsettings.json", key);
    }

    /// <summary>The ENV of the Dockerfile stage the service's <c>build.target</c> names (the last stage without one), its bases' included.</summary>
    public static IReadOnlyDictionary<string, string> ImageEnvironment(ComposeService service)
    {
        var build = service.Node["build"] as JsonObject;
        var stages = Stages(Path.Combine(SharedData.RepositoryRoot, RenderedManifests.Str(build?["dockerfile"]) ?? "Dockerfile"));
        var target = RenderedManifests.Str(build?["target"]) ?? stages[^1].Name;
        var environment = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Collect(stages, target, environment);
        return environment;
    }

    private static void Collect(IReadOnlyList<(string Name, string Base, string Body)> stages, string name, Dictionary<string, string> environment)
    {
        var stage = stages.Single(s => s.Name == name);
        if (stages.Any(s => s.Name == stage.Base))
        {
            Collect(stages, stage.Base, environment);
        }

        foreach (Match line in EnvLine().Matches(stage.Body))
        {
            foreach (Match pair in EnvPair().Matches(line.Groups[1].Value))
            {
                environment[pair.Groups[1].Value] = pair.Groups[2].Value.Trim('"');
            }
        }
    }

    private static List<(string Name, string Base, string Body)> Stages(string dockerfile)
    {
        var text = File.ReadAllText(dockerfile).Replace("\\\n", " ", StringComparison.Ordinal);
        var froms = FromLine().Matches(text);
        return [.. froms.Select((from, i) => (
            Name: from.Groups[2].Success ? from.Groups[2].Value : i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Base: from.Groups[1].Value,
            Body: text[from.Index..(i + 1 < froms.Count ? froms[i + 1].Index : text.Length)]))];
    }

    private static string? AppSetting(string file, string key)
    {
        var path = Path.Combine(SharedData.RepositoryRoot, "src", "Inference.Api", file);
        if (!File.Exists(path))
        {
            return null;
        }

        JsonNode? node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new() { CommentHandling = JsonCommentHandling.Skip });
        foreach (var part in key.Split(':'))
        {
            node = node switch
            {
                JsonObject map => map.FirstOrDefault(p => string.Equals(p.Key, part, StringComparison.OrdinalIgnoreCase)).Value,
                JsonArray list when int.TryParse(part, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < list.Count => list[index],
                _ => null,
            };
        }

        return node is JsonValue value ? value.ToString() : null;
    }

    [GeneratedRegex(@"^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"^ENV\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvLine();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(""[^""]*""|\S*)")]
    private static partial Regex EnvPair();
}
