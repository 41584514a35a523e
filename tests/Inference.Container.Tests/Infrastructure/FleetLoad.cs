using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;

namespace Inference.Container.Tests.Infrastructure;

/// <summary>
/// A REST client at a fixed concurrency: each worker sends classify requests back to back through the load
/// balancer until stopped, and every request is recorded with its outcome and the replica HAProxy says served it.
/// </summary>
public sealed class FleetLoad : IAsyncDisposable
{
    public const int Concurrency = 8;

    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Task> _workers;
    private int _inFlight;

    private FleetLoad(Uri address, byte[] image)
    {
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(90),
        };
        _workers = [.. Enumerable.Range(0, Concurrency).Select(_ => Task.Run(() => RunWorkerAsync(image)))];
    }

    /// <summary>Time since the load started: the clock every <see cref="Request"/> is stamped with.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public int InFlight => Volatile.Read(ref _inFlight);

    public IReadOnlyList<Request> Requests => [.. _requests];

    public static FleetLoad Start(Uri address) => new(address, TestImages.Jpeg(seed: 7));

    /// <summary>Waits until at least <paramref name="count"/> more requests have finished (the load is flowing).</summary>
    public async Task WaitForResponsesAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var target = _requests.Count + count;
        var waited = Stopwatch.StartNew();
        while (_requests.Count < target)
        {
            Assert.True(waited.Elapsed < timeout, $"only {_requests.Count - target + count} of {count} responses within {timeout}");
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Stops sending and waits for the requests in flight; returns every request.</summary>
    public async Task<IReadOnlyList<Request>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        return Requests;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task RunWorkerAsync(byte[] image)
    {
        while (!_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _inFlight);
            var started = _clock.Elapsed;
            var (status, servedBy, error) = await SendAsync(image);
            _requests.Enqueue(new Request(started, _clock.Elapsed, status, servedBy, error));
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task<(int Status, string? ServedBy, string? Error)> SendAsync(byte[] image)
    {
        try
        {
            using var content = new ByteArrayContent(image);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            // Not cancelled by stop: a request once sent always runs to its answer.
            using var response = await _client.PostAsync(new Uri("/v1/models/resnet18/classify", UriKind.Relative), content, CancellationToken.None);
            var servedBy = response.Headers.TryGetValues("x-served-by", out var values) ? values.FirstOrDefault() : null;
            var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
            return ((int)response.StatusCode, servedBy, response.IsSuccessStatusCode ? null : body.Length > 200 ? body[..200] : body);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (0, null, ex.Message);
        }
    }

    /// <summary>One request: when it started and ended (on <see cref="Now"/>'s clock), its status (0: no response) and server.</summary>
    public sealed record Request(TimeSpan Started, TimeSpan Ended, int Status, string? ServedBy, string? Error)
    {
        public bool Succeeded => Status == 200;

        public TimeSpan Duration => Ended - Started;
    }
}
