using Inference.Preprocessing.Buffers;

namespace Inference.Preprocessing.Tests.Buffers;

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
        Assert.True(HasMappingAt(address), "a 24 MB block starts its own mapping");

        buffer.TrimTo(Scratch.RetainBytes);

        Assert.Equal(0, buffer.Capacity);
        Assert.False(HasMappingAt(address), "the mapping is returned to the OS when the block is freed");
    }

    [Fact]
    public void Ensure_Grows_KeepsCapacityForSmallerRequests()
    {
        using var buffer = new NativeBuffer();
        var large = buffer.Ensure(2L << 20);

        Assert.Equal((nint)large, (nint)buffer.Ensure(1000));
    }

    private static bool HasMappingAt(nint address)
    {
        var start = address.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        return File.ReadLines("/proc/self/maps").Any(line => line.StartsWith(start + "-", StringComparison.Ordinal));
    }
}
