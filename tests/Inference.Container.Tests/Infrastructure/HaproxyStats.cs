using System.Globalization;

namespace Inference.Container.Tests.Infrastructure;

/// <summary>HAProxy's CSV statistics (<c>/stats;csv</c> on the stats frontend of deploy/haproxy/haproxy.cfg).</summary>
public sealed class HaproxyStats(int port) : IAsyncDisposable
{
    /// <summary>The backends whose servers HAProxy health-checks itself (rest_noreplay tracks rest).</summary>
    public static readonly IReadOnlyList<string> Backends = ["rest", "grpc"];

    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>One row per frontend, backend and server; empty while HAProxy does not answer.</summary>
    public async Task<IReadOnlyList<Row>> ReadAsync(CancellationToken cancellationToken)
    {
        string csv;
        try
        {
            csv = await _http.GetStringAsync(new Uri("/stats;csv", UriKind.Relative), cancellationToken);
        }
        catch (HttpRequestException)
        {
            return [];
        }

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || !lines[0].StartsWith("# ", StringComparison.Ordinal))
        {
            return [];
        }

        var columns = lines[0][2..].Split(',').Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index);
        return [.. lines.Skip(1).Select(line => line.Split(',')).Select(cells => new Row(
            cells[columns["pxname"]], cells[columns["svname"]], cells[columns["status"]],
            Number(cells[columns["scur"]]), Number(cells[columns["stot"]]),
            Number(cells[columns["wretr"]]), Number(cells[columns["wredis"]]), Number(cells[columns["eresp"]]),
            Number(cells[columns["conn_tot"]])))];
    }

    /// <summary>The row of one server (or BACKEND) of one backend.</summary>
    public async Task<Row> ReadAsync(string backend, string server, CancellationToken cancellationToken)
    {
        var row = (await ReadAsync(cancellationToken)).SingleOrDefault(r => r.Proxy == backend && r.Server == server);
        Assert.True(row is not null, $"HAProxy's stats have no row {backend}/{server}");
        return row;
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private static long Number(string cell) => long.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>
    /// A stats row: status (UP, DOWN, "DOWN 1/2", MAINT, ...), current and total sessions, retries and redispatches
    /// (wretr, wredis), response errors (eresp: the server closed or failed mid-response) and, on a frontend, the
    /// client connections accepted (conn_tot).
    /// </summary>
    public sealed record Row(
        string Proxy, string Server, string Status, long Current, long Total, long Retries, long Redispatches, long ResponseErrors, long Connections);
}
