using System.Runtime.InteropServices;

namespace Inference.Preprocessing.Buffers;

/// <summary>
/// A growable block of unmanaged memory: never moved by the GC, so a native decoder can write into it.
/// Its contents are not kept when it grows.
/// </summary>
/// <remarks>
/// Blocks of <see cref="MappedBytes"/> or more are mapped straight from the OS on Linux and unmapped when freed.
/// Through malloc, a freed block of up to 32 MB raises glibc's mmap threshold to its size, after which blocks that
/// size come from per-thread arenas that keep them: a burst of 16 12 MP JPEGs left the service 57 MB (19%) above
/// its RSS before the burst, spread over a dozen thread arenas.
/// </remarks>
internal sealed unsafe partial class NativeBuffer : IDisposable
{
    /// <summary>From this size on (Linux) a block is its own mapping, returned to the OS when freed.</summary>
    internal const long MappedBytes = 1L << 20;

    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapPrivateAnonymous = 0x02 | 0x20;

    private static bool _mapUnavailable;
    private byte* _pointer;
    private bool _mapped;

    ~NativeBuffer() => Free();

    public long Capacity { get; private set; }

    /// <summary>Returns a pointer to at least <paramref name="bytes"/> bytes (64-byte aligned).</summary>
    public byte* Ensure(long bytes)
    {
        if (bytes > Capacity)
        {
            Free();
            var size = Math.Max(bytes, 4096);
            _pointer = size >= MappedBytes ? TryMap(size) : null;
            _mapped = _pointer != null;
            if (_pointer == null)
            {
                _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)size, 64);
            }

            Capacity = size;
        }

        return _pointer;
    }

    /// <summary>Releases the memory when it is larger than <paramref name="retainBytes"/>.</summary>
    public void TrimTo(long retainBytes)
    {
        if (Capacity > retainBytes)
        {
            Free();
        }
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    /// <summary>A fresh private anonymous mapping (page-aligned, zeroed), or null where mmap is not to be had.</summary>
    private static byte* TryMap(long size)
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref _mapUnavailable))
        {
            return null;
        }

        try
        {
            var address = Mmap(0, (nuint)size, ProtReadWrite, MapPrivateAnonymous, -1, 0);
            if (address == -1)
            {
                return null;
            }

            return (byte*)address;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref _mapUnavailable, true);
            return null;
        }
    }

    private void Free()
    {
        if (_pointer != null)
        {
            if (_mapped)
            {
                _ = Munmap((nint)_pointer, (nuint)Capacity);
            }
            else
            {
                NativeMemory.AlignedFree(_pointer);
            }

            _pointer = null;
            _mapped = false;
            Capacity = 0;
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint address, nuint length);
}
