namespace Inference.Api.Observability.Gpu;

/// <summary>Reads the GPUs of this machine (NVML in production, a fake in tests).</summary>
public interface IGpuReader : IDisposable
{
    /// <summary>Opens the driver library; false, with the reason, where no GPU can be read.</summary>
    bool TryOpen(out string reason);

    /// <summary>A reading of every GPU, in index order. Only after <see cref="TryOpen"/> succeeded.</summary>
    IReadOnlyList<GpuSample> Read();
}

/// <summary>One reading of one GPU. <see cref="PowerWatts"/> is null where the board does not report power.</summary>
public sealed record GpuSample(int Index, string Uuid, double Utilization, long MemoryUsedBytes, long MemoryTotalBytes, double? PowerWatts);
