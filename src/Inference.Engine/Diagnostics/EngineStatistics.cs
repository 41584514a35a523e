using System.Collections.Concurrent;

namespace Inference.Engine.Diagnostics;

/// <summary>
/// Keeps <see cref="IEngineStatistics"/> per model. The engine's stages are fed by <see cref="EngineMetrics"/> at the
/// points where the engine's histograms are recorded, so the two never disagree on what was counted; the requests by
/// the host's data plane through <see cref="RequestCompleted"/>.
/// </summary>
public sealed class EngineStatistics(TimeProvider timeProvider) : IEngineStatistics
{
    private readonly ConcurrentDictionary<string, Book> _models = new(StringComparer.Ordinal);

    public ModelRunStatistics Snapshot(string model)
    {
        if (!_models.TryGetValue(model, out var book))
        {
            return ModelRunStatistics.Empty;
        }

        lock (book)
        {
            return new ModelRunStatistics(
                book.Success,
                book.Fail,
                book.ImagesAnswered,
                book.Preprocess,
                book.Queue,
                book.Compute,
                book.Executions,
                [.. book.Batches.OrderBy(static b => b.Key).Select(static b => b.Value)],
                book.LastRun);
        }
    }

    public void RequestCompleted(string model, bool succeeded, int images, TimeSpan elapsed)
    {
        var book = For(model);
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

    internal void Preprocessed(string model, TimeSpan elapsed)
    {
        var book = For(model);
        lock (book)
        {
            book.Preprocess = Add(book.Preprocess, 1, elapsed);
        }
    }

    internal void QueueWaited(string model, TimeSpan elapsed)
    {
        var book = For(model);
        lock (book)
        {
            book.Queue = Add(book.Queue, 1, elapsed);
        }
    }

    internal void BatchRan(string model, int size, TimeSpan elapsed)
    {
        var book = For(model);
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

    private Book For(string model) => _models.GetOrAdd(model, static _ => new Book());

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
