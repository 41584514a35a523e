using System.Globalization;
using System.Text.RegularExpressions;

namespace Inference.Api.Tests.Observability.Support;

/// <summary>A parsed Prometheus text exposition: one entry per series (name, labels, value).</summary>
public sealed partial class PrometheusText
{
    private PrometheusText(IReadOnlyList<Series> series) => All = series;

    public IReadOnlyList<Series> All { get; }

    public IEnumerable<string> Names => All.Select(s => s.Name).Distinct();

    public static PrometheusText Parse(string text)
    {
        var series = new List<Series>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = SeriesLine().Match(line);
            Assert.True(match.Success, $"Not a Prometheus series line: {line}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in Label().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["key"].Value] = label.Groups["value"].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            }

            series.Add(new Series(match.Groups["name"].Value, labels, Number(match.Groups["value"].Value)));
        }

        return new PrometheusText(series);
    }

    private static double Number(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };

    public static async Task<PrometheusText> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// The value of the series with exactly these labels (ignoring the exporter's own <c>otel_scope_*</c> labels),
    /// or 0 when it is absent.
    /// </summary>
    public double Value(string name, params (string Key, string Value)[] labels) =>
        Find(name, labels)?.Value ?? 0;

    public Series? Find(string name, params (string Key, string Value)[] labels) =>
        All.SingleOrDefault(s => s.Name == name && s.Own.Count == labels.Length && labels.All(l => s.Own.TryGetValue(l.Key, out var v) && v == l.Value));

    public sealed record Series(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        /// <summary>The labels the service set (without the exporter's <c>otel_scope_*</c>).</summary>
        public IReadOnlyDictionary<string, string> Own { get; } =
            Labels.Where(l => !l.Key.StartsWith("otel_", StringComparison.Ordinal)).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\S+)?$""")]
    private static partial Regex SeriesLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex Label();
}
