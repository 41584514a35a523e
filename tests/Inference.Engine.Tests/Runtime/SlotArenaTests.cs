using Inference.Engine.Runtime;

namespace Inference.Engine.Tests.Runtime;

public sealed class SlotArenaTests
{
    [Fact]
    public void TryRent_AllTaken_ReturnsMinusOne()
    {
        var arena = new SlotArena(3, 4);

        var rented = new[] { arena.TryRent(), arena.TryRent(), arena.TryRent() };

        Assert.Equal([0, 1, 2], rented);
        Assert.Equal(-1, arena.TryRent());
        Assert.Equal(-1, arena.TryRent());
        Assert.Equal(0, arena.Available);
    }

    [Fact]
    public void Return_ThenRent_GivesTheSlotAgain()
    {
        var arena = new SlotArena(2, 4);
        _ = arena.TryRent();
        var second = arena.TryRent();

        arena.Return(second);

        Assert.Equal(1, arena.Available);
        Assert.Equal(second, arena.TryRent());
        Assert.Equal(-1, arena.TryRent());
    }

    [Fact]
    public void TryRent_Fresh_LowestSlotFirstSoRentsAreConsecutive()
    {
        var arena = new SlotArena(8, 2);

        var rented = Enumerable.Range(0, 8).Select(_ => arena.TryRent()).ToArray();

        Assert.Equal(Enumerable.Range(0, 8), rented);
    }

    [Fact]
    public void Return_LastToFirst_NextRentsAscendAgain()
    {
        var arena = new SlotArena(6, 2);
        var first = Enumerable.Range(0, 4).Select(_ => arena.TryRent()).ToArray();

        foreach (var slot in first.Reverse())
        {
            arena.Return(slot);
        }

        Assert.Equal([0, 1, 2, 3, 4, 5], Enumerable.Range(0, 6).Select(_ => arena.TryRent()));
    }

    [Fact]
    public void Slot_EachSlot_OwnsDisjointMemory()
    {
        const int length = 5;
        var arena = new SlotArena(4, length);

        for (var slot = 0; slot < 4; slot++)
        {
            arena.Slot(slot).Fill(slot + 1);
        }

        for (var slot = 0; slot < 4; slot++)
        {
            Assert.Equal(length, arena.Slot(slot).Length);
            Assert.All(arena.Slot(slot).ToArray(), v => Assert.Equal(slot + 1, v));
        }
    }

    [Fact]
    public void Range_ConsecutiveSlots_IsTheirConcatenation()
    {
        var arena = new SlotArena(4, 3);
        for (var slot = 0; slot < 4; slot++)
        {
            arena.Slot(slot).Fill(slot);
        }

        var range = arena.Range(1, 2).ToArray();

        Assert.Equal([1f, 1f, 1f, 2f, 2f, 2f], range);
        Assert.Equal(arena.Slot(3).ToArray(), arena.SlotMemory(3).ToArray());
    }

    [Fact]
    public void TryRent_Fresh_NoMemoryUntilASlotIsUsed()
    {
        var arena = new SlotArena(72, 1000, chunkSlots: 8);

        Assert.Equal(0, arena.AllocatedBytes);
        _ = arena.TryRent();
        Assert.Equal(8 * 1000 * sizeof(float), arena.AllocatedBytes);
    }

    [Fact]
    public void TryRent_SlotsHeldAtOnce_GrowsOneChunkAtATimeAndReusesThem()
    {
        var arena = new SlotArena(72, 10, chunkSlots: 8);

        var held = Enumerable.Range(0, 9).Select(_ => arena.TryRent()).ToArray();
        Assert.Equal(2 * 8 * 10 * sizeof(float), arena.AllocatedBytes);
        foreach (var slot in held.Reverse())
        {
            arena.Return(slot);
        }

        for (var round = 0; round < 100; round++)
        {
            arena.Return(arena.TryRent());
        }

        Assert.Equal(2 * 8 * 10 * sizeof(float), arena.AllocatedBytes);
    }

    [Fact]
    public void TryRent_LastChunkShorter_HoldsOnlyTheRemainingSlots()
    {
        var arena = new SlotArena(10, 3, chunkSlots: 8);

        var all = Enumerable.Range(0, 10).Select(_ => arena.TryRent()).ToArray();

        Assert.Equal(10 * 3 * sizeof(float), arena.AllocatedBytes);
        Assert.Equal(3, arena.Slot(all[^1]).Length);
    }

    [Fact]
    public void IsContiguous_SlotsAcrossAChunkBoundary_FalseAndRangeThrows()
    {
        var arena = new SlotArena(16, 2, chunkSlots: 8);

        Assert.True(arena.IsContiguous(0, 8));
        Assert.True(arena.IsContiguous(8, 8));
        Assert.False(arena.IsContiguous(6, 4));
        Assert.Throws<ArgumentException>(() => arena.Range(6, 4));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void Return_OutOfRange_Throws(int slot)
    {
        var arena = new SlotArena(4, 3);

        Assert.Throws<ArgumentOutOfRangeException>(() => arena.Return(slot));
    }

    [Fact]
    public void TryRent_ConcurrentRentersAndReturners_NeverHandOutASlotTwice()
    {
        var arena = new SlotArena(16, 1);
        var owners = new int[16];
        var doubleRents = 0;

        Parallel.For(0, 4, worker =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var slot = arena.TryRent();
                if (slot < 0)
                {
                    continue;
                }

                if (Interlocked.Exchange(ref owners[slot], 1) != 0)
                {
                    Interlocked.Increment(ref doubleRents);
                }

                Volatile.Write(ref owners[slot], 0);
                arena.Return(slot);
            }
        });

        Assert.Equal(0, doubleRents);
        Assert.Equal(16, arena.Available);
    }
}
