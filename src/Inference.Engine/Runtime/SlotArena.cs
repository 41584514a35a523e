namespace Inference.Engine.Runtime;

/// <summary>
/// Pinned model-input memory cut into per-image slots. A request rents a slot, preprocesses straight into it, and
/// the executor hands ONNX Runtime the slots in place (when a batch's slots are consecutive within one chunk) or
/// gathers them. Renting fails, never blocks, when every slot is taken: that bounds the memory a model's queue can
/// hold. The memory comes in chunks of <see cref="ChunkSlots"/> slots, each allocated the first time one of its
/// slots is used: the arena grows to the peak number of slots held at once, not to its capacity (72 slots of a
/// 224x224 model were 43 MB pinned from start-up, used or not; a model at concurrency 8 touches one or two chunks).
/// </summary>
internal sealed class SlotArena
{
    /// <summary>The default chunk: the default largest batch, so a full batch can run in place.</summary>
    public const int DefaultChunkSlots = 8;

    private readonly float[]?[] _chunks;
    private readonly int[] _free;
    private readonly Lock _lock = new();
    private int _freeCount;

    public SlotArena(int slotCount, int slotLength, int chunkSlots = DefaultChunkSlots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slotCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slotLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSlots, 1);
        SlotCount = slotCount;
        SlotLength = slotLength;
        ChunkSlots = Math.Min(chunkSlots, slotCount);
        _ = checked(ChunkSlots * slotLength);
        _chunks = new float[]?[(slotCount + ChunkSlots - 1) / ChunkSlots];
        _free = new int[slotCount];

        // Stack of free slots, lowest index on top: under steady load consecutive requests get
        // consecutive slots, so most batches run without a gather copy, and the low chunks are the ones reused.
        for (var i = 0; i < slotCount; i++)
        {
            _free[i] = slotCount - 1 - i;
        }

        _freeCount = slotCount;
    }

    public int SlotCount { get; }

    public int SlotLength { get; }

    /// <summary>Slots per chunk of memory: consecutive slots are contiguous within a chunk.</summary>
    public int ChunkSlots { get; }

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

    /// <summary>Bytes of slot memory allocated so far.</summary>
    public long AllocatedBytes
    {
        get
        {
            lock (_lock)
            {
                return _chunks.Sum(static c => c is null ? 0L : c.LongLength) * sizeof(float);
            }
        }
    }

    /// <summary>A free slot index, or -1 when all are taken. Allocates its chunk the first time it is used.</summary>
    public int TryRent()
    {
        lock (_lock)
        {
            if (_freeCount == 0)
            {
                return -1;
            }

            var slot = _free[--_freeCount];
            _chunks[slot / ChunkSlots] ??= NewChunk(slot / ChunkSlots);
            return slot;
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

    public Span<float> Slot(int slot) => SlotMemory(slot).Span;

    public Memory<float> SlotMemory(int slot) => Chunk(slot).AsMemory(slot % ChunkSlots * SlotLength, SlotLength);

    /// <summary>True when <paramref name="count"/> consecutive slots from <paramref name="firstSlot"/> lie in one chunk.</summary>
    public bool IsContiguous(int firstSlot, int count) =>
        count >= 1 && firstSlot >= 0 && firstSlot + count <= SlotCount && firstSlot / ChunkSlots == (firstSlot + count - 1) / ChunkSlots;

    /// <summary><paramref name="count"/> consecutive slots starting at <paramref name="firstSlot"/>, as one tensor's memory.</summary>
    /// <exception cref="ArgumentException">The slots span two chunks (see <see cref="IsContiguous"/>).</exception>
    public Memory<float> Range(int firstSlot, int count)
    {
        if (!IsContiguous(firstSlot, count))
        {
            throw new ArgumentException($"Slots {firstSlot}..{firstSlot + count - 1} are not contiguous (chunks of {ChunkSlots}).", nameof(count));
        }

        return Chunk(firstSlot).AsMemory(firstSlot % ChunkSlots * SlotLength, count * SlotLength);
    }

    /// <summary>The chunk holding <paramref name="slot"/>, allocated now if no slot of it was used yet.</summary>
    private float[] Chunk(int slot)
    {
        var index = slot / ChunkSlots;
        var chunk = Volatile.Read(ref _chunks[index]);
        if (chunk is not null)
        {
            return chunk;
        }

        lock (_lock)
        {
            return _chunks[index] ??= NewChunk(index);
        }
    }

    private float[] NewChunk(int index)
    {
        var slots = Math.Min(ChunkSlots, SlotCount - (index * ChunkSlots));
        return GC.AllocateUninitializedArray<float>(slots * SlotLength, pinned: true);
    }
}
