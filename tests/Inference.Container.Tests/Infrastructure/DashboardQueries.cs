using System.Text.Json;

namespace Inference.Container.Tests.Infrastructure;

/// <summary>
/// The PromQL of every panel of deploy/observability/grafana/dashboards/inference.json, with Grafana's
/// variables replaced as Grafana would for "All models" over a short range.
/// </summary>
internal static class DashboardQueries
{
    public static string DashboardPath =>
        Path.Combine(ServiceImageFixture.RepositoryRoot, "deploy", "observability", "grafana", "dashboards", "inference.json");

    public static IReadOnlyList<(string Panel, string Query)> Load()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        return [.. dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(panel => panel.TryGetProperty("targets", out _))
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray().Select(target =>
                (panel.GetProperty("title").GetString()!, Substitute(target.GetProperty("expr").GetString()!))))];
    }

    /// <summary>The model variable's "All" value is <c>.*</c>; a rate window of 30 s spans several 5 s scrapes.</summary>
    private static string Substitute(string expression) => expression
        .Replace("$model", ".*", StringComparison.Ordinal)
        .Replace("$__rate_interval", "30s", StringComparison.Ordinal);
}
