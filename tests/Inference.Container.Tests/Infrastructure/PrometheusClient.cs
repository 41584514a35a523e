using System.Globalization;
using System.Text.Json;

namespace Inference.Container.Tests.Infrastructure;

/// <summary>Prometheus's HTTP API: instant and range queries and the loaded rules.</summary>
internal sealed class PrometheusClient(int port) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The non-NaN sample values of an instant query; empty while Prometheus has none or is not up.</summary>
    public async Task<IReadOnlyList<double>> QueryAsync(string query, CancellationToken cancellationToken)
    {
        using var body = await GetAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}", cancellationToken);
        if (body is null)
        {
            return [];
        }

        return [.. body.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(series => double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture))
            .Where(value => !double.IsNaN(value))];
    }

    /// <summary>A range query: each series' labels and its (unix seconds, value) points; empty while Prometheus has none.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(double Time, double Value)> Points)>> QueryRangeAsync(
        string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken)
    {
        var path = FormattableString.Invariant(
            $"/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={start.ToUnixTimeMilliseconds() / 1000.0}&end={end.ToUnixTimeMilliseconds() / 1000.0}&step={step.TotalSeconds}");
        using var body = await GetAsync(path, cancellationToken);
        if (body is null)
        {
            return [];
        }

        return [.. body.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(series => (
            (IReadOnlyDictionary<string, string>)series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
            (IReadOnlyList<(double, double)>)[.. series.GetProperty("values").EnumerateArray().Select(point =>
                (point[0].GetDouble(), double.Parse(point[1].GetString()!, CultureInfo.InvariantCulture)))]))];
    }

    /// <summary>Name and last evaluation error (empty when none) of every loaded rule.</summary>
    public async Task<IReadOnlyList<(string Name, string Error)>> RulesAsync(CancellationToken cancellationToken)
    {
        using var body = await GetAsync("/api/v1/rules", cancellationToken);
        if (body is null)
        {
            return [];
        }

        return [.. body.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(group => group.GetProperty("rules").EnumerateArray())
            .Select(rule => (rule.GetProperty("name").GetString()!, rule.TryGetProperty("lastError", out var e) ? e.GetString() ?? "" : ""))];
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonDocument?> GetAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
