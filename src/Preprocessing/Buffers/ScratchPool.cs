namespace Inference.Preprocessing.Buffers;

/// <summary>A small thread-safe pool of <see cref="Scratch"/> objects; it keeps at most a few per core.</summary>
internal sealed class ScratchPool
{
    private readonly Scratch?[] _items;
    private readonly Lock _lock = new();
    private int _count;

    public ScratchPool(int maxRetained)
    {
        _items = new Scratch?[maxRetained];
    }

    public Scratch Rent()
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                var item = _items[--_count]!;
                _items[_count] = null;
                return item;
            }
        }

        return new Scratch();
    }

    public void Return(Scratch scratch)
    {
        scratch.Trim();
        lock (_lock)
        {
            if (_count < _items.Length)
            {
                _items[_count++] = scratch;
                return;
            }
        }

        scratch.Dispose();
    }
}
