using System.Collections.Concurrent;
using System.Diagnostics;

namespace Inference.Bench;

/// <summary>
/// A closed loop: <c>concurrency</c> workers each send a request, wait for its answer, and send the next,
/// for a warm-up (not measured) and then the measured duration. Bounded in time; stops by itself: every request
/// also has its own timeout, and one that runs past it counts as failed.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<LoadResult> RunAsync(
        string target, int concurrency, TimeSpan warmUp, TimeSpan duration, TimeSpan timeout, Func<CancellationToken, Task<bool>> send)
    {
        var latencies = new ConcurrentBag<double>();
        long completed = 0, failed = 0;
        var measuring = false;
        using var stop = new CancellationTokenSource(warmUp + duration);
        var measureStart = 0L;

        async Task Worker()
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                bool ok;
                using var call = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                call.CancelAfter(timeout);
                try
                {
                    ok = await send(call.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (OperationCanceledException) when (call.IsCancellationRequested)
                {
                    ok = false;
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }

                if (!Volatile.Read(ref measuring))
                {
                    continue;
                }

                if (ok)
                {
                    Interlocked.Increment(ref completed);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }

        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)).ToArray();
        await Task.Delay(warmUp);
        measureStart = Stopwatch.GetTimestamp();
        Volatile.Write(ref measuring, true);
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(measureStart);
        return new LoadResult(target, concurrency, elapsed, completed, failed, latencies.ToArray());
    }
}
