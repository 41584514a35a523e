namespace Inference.Api.Observability.Gpu;

/// <summary>One reading of one GPU. <see cref="PowerWatts"/> is null where the board does not report power.</summary>
public sealed record GpuSample(int Index, string Uuid, double Utilization, long MemoryUsedBytes, long MemoryTotalBytes, double? PowerWatts);
