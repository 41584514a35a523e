using Inference.Preprocessing.Buffers;

namespace Inference.Preprocessing.Tests.Buffers;

[Collection(NativeBufferCollection.Name)]
public sealed unsafe class NativeBufferTests
{
    [Theory]
    [InlineData(100)]
    [InlineData(NativeBuffer.MappedBytes)]
    [InlineData((48L << 20) + 3)]
    public void Ensure_AnySize_WholeBlockWritableAndAligned(long bytes)
    {
        using var buffer = new NativeBuffer();

        var pointer = buffer.Ensure(bytes);
        new Span<byte>(pointer, (int)bytes).Fill(0xAB);

        Assert.Equal(0, (nint)pointer % 64);
        Assert.True(buffer.Capacity >= bytes);
        Assert.Equal(0xAB, pointer[bytes - 1]);
    }

    [Fact]
    public void Ensure_LargeBlockOnLinux_IsItsOwnMappingAndGoneOnceTrimmed()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mappings are read from /proc/self/maps");
        using var buffer = new NativeBuffer();
        const long bytes = 24L << 20;

        var address = (nint)buffer.Ensure(bytes);
        new Span<byte>((void*)address, (int)bytes).Fill(1);
        Assert.Equal(bytes, MappedBytesIn(address, bytes));

        buffer.TrimTo(Scratch.RetainBytes);

        Assert.Equal(0, buffer.Capacity);
        Assert.True(MappedBytesIn(address, bytes) < bytes, "the block's pages are returned to the OS when it is freed");
    }

    [Fact]
    public void Ensure_Grows_KeepsCapacityForSmallerRequests()
    {
        using var buffer = new NativeBuffer();
        var large = buffer.Ensure(2L << 20);

        Assert.Equal((nint)large, (nint)buffer.Ensure(1000));
    }

    /// <summary>
    /// How many bytes of [address, address + length) this process has mapped. The kernel merges adjacent anonymous
    /// mappings into one line of /proc/self/maps, so the block need not start a line of its own: what counts is whether
    /// its range is mapped.
    /// </summary>
    private static long MappedBytesIn(nint address, long length)
    {
        long start = address, end = address + length, mapped = 0;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var range = line.AsSpan(0, line.IndexOf(' ', StringComparison.Ordinal));
            var dash = range.IndexOf('-');
            var low = long.Parse(range[..dash], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            var high = long.Parse(range[(dash + 1)..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            mapped += Math.Max(0, Math.Min(high, end) - Math.Max(low, start));
        }

        return mapped;
    }
}

/// <summary>
/// Never beside other tests: they map and unmap memory too, and one could map a block into the range a test here has
/// just given back.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeBufferCollection
{
    public const string Name = "Native buffers";
}
