using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static Inference.Deploy.Tests.Rendering.RenderedManifests;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>
/// Checks every <c>datasource</c> a Grafana dashboard names (panels, targets, templating, annotations) against the
/// provisioned datasources: a provisioned uid (of its type), or a datasource variable whose query is a provisioned type.
/// </summary>
internal static partial class DashboardDatasources
{
    private static readonly string[] BuiltIn = ["grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --"];

    public static IReadOnlyList<string> Problems(JsonObject dashboard, IReadOnlyList<JsonObject> provisioned)
    {
        var variables = (dashboard["templating"]?["list"] as JsonArray ?? [])
            .Select(v => v!.AsObject())
            .Where(v => Str(v["name"]) is not null)
            .ToDictionary(v => Str(v["name"])!, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (path, reference) in References(dashboard))
        {
            var problem = Check(reference, provisioned, variables);
            if (problem is not null)
            {
                problems.Add($"{path}: {problem}");
            }
        }

        return problems;
    }

    private static string? Check(JsonNode? reference, IReadOnlyList<JsonObject> provisioned, Dictionary<string, JsonObject> variables)
    {
        var (uid, type) = reference is JsonObject o ? (Str(o["uid"]), Str(o["type"])) : (Str(reference), null);
        if (uid is null)
        {
            return provisioned.Any(d => Str(d["isDefault"]) == "true") ? null : "names no datasource and none is provisioned as the default";
        }

        if (BuiltIn.Contains(uid))
        {
            return null;
        }

        var variable = VariableReference().Match(uid);
        if (variable.Success)
        {
            var name = variable.Groups["braced"].Success ? variable.Groups["braced"].Value : variable.Groups["bare"].Value;
            if (!variables.TryGetValue(name, out var definition) || Str(definition["type"]) != "datasource")
            {
                return $"{uid} is not a datasource variable of the dashboard";
            }

            var query = Str(definition["query"]);
            if (!provisioned.Any(d => Str(d["type"]) == query))
            {
                return $"the variable {name} lists datasources of type {query}, and none of that type is provisioned";
            }

            return type is null || type == query ? null : $"the panel expects type {type}, the variable {name} gives {query}";
        }

        var match = provisioned.FirstOrDefault(d => Str(d["uid"]) == uid || (reference is JsonValue && Str(d["name"]) == uid));
        if (match is null)
        {
            return $"uid {uid} is not a provisioned datasource (provisioned: {string.Join(", ", provisioned.Select(d => Str(d["uid"]) ?? "(no uid)"))})";
        }

        return type is null || type == Str(match["type"]) ? null : $"uid {uid} is provisioned with type {Str(match["type"])}, not {type}";
    }

    private static IEnumerable<(string Path, JsonNode? Node)> References(JsonNode? node)
    {
        var children = node switch
        {
            JsonObject map => map.Select(p => (p.Key, p.Value)),
            JsonArray list => list.Select(e => (Key: string.Empty, Value: e)),
            _ => [],
        };
        foreach (var (key, child) in children)
        {
            if (key == "datasource")
            {
                yield return ($"{node!.GetPath()}.datasource", child);
            }
            else
            {
                foreach (var reference in References(child))
                {
                    yield return reference;
                }
            }
        }
    }

    [GeneratedRegex(@"^(?:\$\{(?<braced>[A-Za-z0-9_]+)(?::[a-z]+)?\}|\$(?<bare>[A-Za-z0-9_]+))$")]
    private static partial Regex VariableReference();
}
