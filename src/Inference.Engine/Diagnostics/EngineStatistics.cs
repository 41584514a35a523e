using System.Collections.Concurrent;

namespace Inference.Engine.Diagnostics;

/// <summary>
/// Keeps <see cref="IEngineStatistics"/> per model version (a model's totals are the sum of its versions'). The engine's stages are fed by <see cref="EngineMetrics"/> at the
/// points where the engine's histograms are recorded, so the two never disagree on what was counted; the requests by
/// the host's data plane through <see cref="RequestCompleted"/>.
/// </summary>
public sealed class EngineStatistics(TimeProvider timeProvider) : IEngineStatistics
{
    private readonly ConcurrentDictionary<(string Model, string Version), Book> _books = new();

    public ModelRunStatistics Snapshot(string model) =>
        Merge(_books.Where(b => b.Key.Model == model).Select(static b => b.Value));

    public ModelRunStatistics Snapshot(string model, string version) =>
        _books.TryGetValue((model, version), out var book) ? Merge([book]) : ModelRunStatistics.Empty;

    public void RequestCompleted(string model, string version, bool succeeded, int images, TimeSpan elapsed)
    {
        var book = For(model, version);
        lock (book)
        {
            if (succeeded)
            {
                book.Success = Add(book.Success, 1, elapsed);
                book.ImagesAnswered += images;
            }
            else
            {
                book.Fail = Add(book.Fail, 1, elapsed);
            }
        }
    }

    internal void Preprocessed(string model, string version, TimeSpan elapsed)
    {
        var book = For(model, version);
        lock (book)
        {
            book.Preprocess = Add(book.Preprocess, 1, elapsed);
        }
    }

    internal void QueueWaited(string model, string version, TimeSpan elapsed)
    {
        var book = For(model, version);
        lock (book)
        {
            book.Queue = Add(book.Queue, 1, elapsed);
        }
    }

    internal void BatchRan(string model, string version, int size, TimeSpan elapsed)
    {
        var book = For(model, version);
        var now = timeProvider.GetUtcNow();
        lock (book)
        {
            book.Compute = Add(book.Compute, size, elapsed * size);
            book.Executions++;
            var batch = book.Batches.GetValueOrDefault(size, new BatchSizeTotal(size, 0, TimeSpan.Zero));
            book.Batches[size] = batch with { Executions = batch.Executions + 1, Compute = batch.Compute + elapsed };
            book.LastRun = now;
        }
    }

    private static StageTotal Add(StageTotal total, long count, TimeSpan elapsed) =>
        new(total.Count + count, total.Total + (elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed));

    private Book For(string model, string version) => _books.GetOrAdd((model, version), static _ => new Book());

    private static ModelRunStatistics Merge(IEnumerable<Book> books)
    {
        var total = new Book();
        var any = false;
        foreach (var book in books)
        {
            any = true;
            lock (book)
            {
                total.Success = Add(total.Success, book.Success.Count, book.Success.Total);
                total.Fail = Add(total.Fail, book.Fail.Count, book.Fail.Total);
                total.ImagesAnswered += book.ImagesAnswered;
                total.Preprocess = Add(total.Preprocess, book.Preprocess.Count, book.Preprocess.Total);
                total.Queue = Add(total.Queue, book.Queue.Count, book.Queue.Total);
                total.Compute = Add(total.Compute, book.Compute.Count, book.Compute.Total);
                total.Executions += book.Executions;
                total.LastRun = book.LastRun > total.LastRun || total.LastRun is null ? book.LastRun : total.LastRun;
                foreach (var (size, batch) in book.Batches)
                {
                    var sum = total.Batches.GetValueOrDefault(size, new BatchSizeTotal(size, 0, TimeSpan.Zero));
                    total.Batches[size] = sum with { Executions = sum.Executions + batch.Executions, Compute = sum.Compute + batch.Compute };
                }
            }
        }

        return !any ? ModelRunStatistics.Empty : new ModelRunStatistics(
            total.Success,
            total.Fail,
            total.ImagesAnswered,
            total.Preprocess,
            total.Queue,
            total.Compute,
            total.Executions,
            [.. total.Batches.OrderBy(static b => b.Key).Select(static b => b.Value)],
            total.LastRun);
    }

    private sealed class Book
    {
        public StageTotal Success;
        public StageTotal Fail;
        public long ImagesAnswered;
        public StageTotal Preprocess;
        public StageTotal Queue;
        public StageTotal Compute;
        public long Executions;
        public DateTimeOffset? LastRun;
        public readonly Dictionary<int, BatchSizeTotal> Batches = [];
    }
}
