using Inference.Api.Observability.Gpu;

namespace Inference.Api.Tests.Observability.Support;

/// <summary>An <see cref="IGpuReader"/> with fixed GPUs (or none), counting its reads.</summary>
public sealed class FakeGpuReader(params GpuSample[] gpus) : IGpuReader
{
    private int _reads;

    public string? Unavailable { get; init; }

    public int Reads => Volatile.Read(ref _reads);

    public bool Disposed { get; private set; }

    public bool TryOpen(out string reason)
    {
        reason = Unavailable ?? $"{gpus.Length} GPU(s)";
        return Unavailable is null;
    }

    public IReadOnlyList<GpuSample> Read()
    {
        Interlocked.Increment(ref _reads);
        return gpus;
    }

    public void Dispose() => Disposed = true;
}
