using System.Runtime.InteropServices;

namespace Inference.Preprocessing.Buffers;

/// <summary>
/// A growable block of unmanaged memory: never moved by the GC, so a native decoder can write into it.
/// Its contents are not kept when it grows.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private byte* _pointer;

    ~NativeBuffer() => Free();

    public long Capacity { get; private set; }

    /// <summary>Returns a pointer to at least <paramref name="bytes"/> bytes (64-byte aligned).</summary>
    public byte* Ensure(long bytes)
    {
        if (bytes > Capacity)
        {
            Free();
            var size = Math.Max(bytes, 4096);
            _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)size, 64);
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

    private void Free()
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
            Capacity = 0;
        }
    }
}
