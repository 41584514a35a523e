namespace Inference.Engine.Batching;

/// <summary>
/// The scheduler loop's private, oldest-first view of queued items: applies <see cref="BatchPolicy"/>'s decision,
/// removing drops and handing batches out without allocating. Used only by the loop, so not thread-safe.
/// </summary>
internal sealed class PendingQueue<TItem>(int capacity, Action<TItem, DropReason> drop)
    where TItem : class, IBatchItem
{
    private readonly List<TItem> _items = new(capacity);
    private readonly List<BatchDrop> _drops = [];

    public void Add(TItem item) => _items.Add(item);

    /// <summary>Decides at <paramref name="now"/> and drops the cancelled and expired items at once.</summary>
    public BatchDecision Decide(DateTimeOffset now, BatchingOptions options, BatchLoad load)
    {
        var decision = BatchPolicy.Decide(_items, now, options, load, _drops);
        if (_drops.Count > 0)
        {
            RemoveDrops();
        }

        return decision;
    }

    /// <summary>Moves the oldest <paramref name="count"/> items into <paramref name="batch"/>.</summary>
    public void TakeInto(List<TItem> batch, int count)
    {
        for (var i = 0; i < count; i++)
        {
            batch.Add(_items[i]);
        }

        _items.RemoveRange(0, count);
    }

    public void DropAll(DropReason reason)
    {
        foreach (var item in _items)
        {
            drop(item, reason);
        }

        _items.Clear();
    }

    private void RemoveDrops()
    {
        var write = 0;
        var next = 0;
        for (var read = 0; read < _items.Count; read++)
        {
            if (next < _drops.Count && _drops[next].Index == read)
            {
                drop(_items[read], _drops[next].Reason);
                next++;
            }
            else
            {
                _items[write++] = _items[read];
            }
        }

        _items.RemoveRange(write, _items.Count - write);
        _drops.Clear();
    }
}
