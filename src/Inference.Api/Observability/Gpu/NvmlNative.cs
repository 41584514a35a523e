using System.Runtime.InteropServices;

namespace Inference.Api.Observability.Gpu;

/// <summary>The few NVML entry points the GPU metrics need (libnvidia-ml.so.1 ships with the NVIDIA driver).</summary>
internal static class NvmlNative
{
    public const string Library = "libnvidia-ml.so.1";
    public const int Success = 0;
    public const int NotSupported = 3;

    /// <summary>NVML_DEVICE_UUID_V2_BUFFER_SIZE.</summary>
    public const int UuidBufferSize = 96;

    [DllImport(Library, EntryPoint = "nvmlInit_v2")]
    public static extern int Init();

    [DllImport(Library, EntryPoint = "nvmlShutdown")]
    public static extern int Shutdown();

    [DllImport(Library, EntryPoint = "nvmlDeviceGetCount_v2")]
    public static extern int DeviceGetCount(out uint count);

    [DllImport(Library, EntryPoint = "nvmlDeviceGetHandleByIndex_v2")]
    public static extern int DeviceGetHandleByIndex(uint index, out IntPtr device);

    [DllImport(Library, EntryPoint = "nvmlDeviceGetUUID")]
    public static extern int DeviceGetUuid(IntPtr device, [Out] byte[] uuid, uint length);

    [DllImport(Library, EntryPoint = "nvmlDeviceGetUtilizationRates")]
    public static extern int DeviceGetUtilizationRates(IntPtr device, out Utilization utilization);

    [DllImport(Library, EntryPoint = "nvmlDeviceGetMemoryInfo")]
    public static extern int DeviceGetMemoryInfo(IntPtr device, out Memory memory);

    [DllImport(Library, EntryPoint = "nvmlDeviceGetPowerUsage")]
    public static extern int DeviceGetPowerUsage(IntPtr device, out uint milliwatts);

    [DllImport(Library, EntryPoint = "nvmlErrorString")]
    public static extern IntPtr ErrorString(int result);

    /// <summary>nvmlUtilization_t: percentages over the driver's last sample period.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Utilization
    {
        public uint Gpu;
        public uint Memory;
    }

    /// <summary>nvmlMemory_t, in bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Memory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }
}

/// <summary>An NVML call returned an error; the message names the call and NVML's description.</summary>
public sealed class NvmlException(string message) : Exception(message);
