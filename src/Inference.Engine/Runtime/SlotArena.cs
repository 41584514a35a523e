namespace Inference.Engine.Runtime;

/// <summary>
/// One pinned block of model-input memory cut into per-image slots. A request rents a slot, preprocesses
/// straight into it, and the executor hands ONNX Runtime the slots in place (when a batch's slots are
/// consecutive) or gathers them. Renting fails, never blocks, when every slot is taken: that bounds the
/// memory a model's queue can hold.
/// </summary>
internal sealed class SlotArena
{
    private readonly float[] _memory;
    private readonly int[] _free;
    private readonly Lock _lock = new();
    private int _freeCount;

    public SlotArena(int slotCount, int slotLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slotCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slotLength, 1);
        SlotCount = slotCount;
        SlotLength = slotLength;
        _memory = GC.AllocateUninitializedArray<float>(checked(slotCount * slotLength), pinned: true);
        _free = new int[slotCount];

        // Stack of free slots, lowest index on top: under steady load consecutive requests get
        // consecutive slots, so most batches run without a gather copy.
        for (var i = 0; i < slotCount; i++)
        {
            _free[i] = slotCount - 1 - i;
        }

        _freeCount = slotCount;
    }

    public int SlotCount { get; }

    public int SlotLength { get; }

    public int Available
    {
        get
        {
            lock (_lock)
            {
                return _freeCount;
            }
        }
    }

    /// <summary>A free slot index, or -1 when all are taken.</summary>
    public int TryRent()
    {
        lock (_lock)
        {
            return _freeCount == 0 ? -1 : _free[--_freeCount];
        }
    }

    public void Return(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, SlotCount);
        lock (_lock)
        {
            _free[_freeCount++] = slot;
        }
    }

    public Span<float> Slot(int slot) => _memory.AsSpan(slot * SlotLength, SlotLength);

    public Memory<float> SlotMemory(int slot) => _memory.AsMemory(slot * SlotLength, SlotLength);

    /// <summary><paramref name="count"/> consecutive slots starting at <paramref name="firstSlot"/>, as one tensor's memory.</summary>
    public Memory<float> Range(int firstSlot, int count) => _memory.AsMemory(firstSlot * SlotLength, count * SlotLength);
}
