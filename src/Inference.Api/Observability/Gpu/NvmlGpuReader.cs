using System.Runtime.InteropServices;
using System.Text;

namespace Inference.Api.Observability.Gpu;

/// <summary>Reads NVIDIA GPUs through NVML by P/Invoke (no package); where the driver is absent it says why.</summary>
internal sealed class NvmlGpuReader : IGpuReader
{
    private (IntPtr Handle, string Uuid)[] _devices = [];
    private bool _open;

    public bool TryOpen(out string reason)
    {
        try
        {
            Check(NvmlNative.Init(), "nvmlInit_v2");
            _open = true;
            Check(NvmlNative.DeviceGetCount(out var count), "nvmlDeviceGetCount_v2");
            _devices = new (IntPtr, string)[count];
            for (var i = 0u; i < count; i++)
            {
                Check(NvmlNative.DeviceGetHandleByIndex(i, out var handle), "nvmlDeviceGetHandleByIndex_v2");
                var uuid = new byte[NvmlNative.UuidBufferSize];
                Check(NvmlNative.DeviceGetUuid(handle, uuid, (uint)uuid.Length), "nvmlDeviceGetUUID");
                var length = Array.IndexOf(uuid, (byte)0);
                _devices[i] = (handle, Encoding.ASCII.GetString(uuid, 0, length < 0 ? uuid.Length : length));
            }

            if (count == 0)
            {
                reason = "NVML reports no GPU";
                Dispose();
                return false;
            }

            reason = $"{count} GPU(s)";
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or NvmlException)
        {
            reason = e is DllNotFoundException ? $"{NvmlNative.Library} could not be loaded (no NVIDIA driver)" : e.Message;
            Dispose();
            return false;
        }
    }

    public IReadOnlyList<GpuSample> Read()
    {
        var samples = new GpuSample[_devices.Length];
        for (var i = 0; i < _devices.Length; i++)
        {
            var (handle, uuid) = _devices[i];
            Check(NvmlNative.DeviceGetUtilizationRates(handle, out var utilization), "nvmlDeviceGetUtilizationRates");
            Check(NvmlNative.DeviceGetMemoryInfo(handle, out var memory), "nvmlDeviceGetMemoryInfo");
            var power = NvmlNative.DeviceGetPowerUsage(handle, out var milliwatts) == NvmlNative.Success ? milliwatts / 1000.0 : (double?)null;
            samples[i] = new GpuSample(i, uuid, utilization.Gpu / 100.0, (long)memory.Used, (long)memory.Total, power);
        }

        return samples;
    }

    public void Dispose()
    {
        if (_open)
        {
            _open = false;
            _devices = [];
            NvmlNative.Shutdown();
        }
    }

    private static void Check(int result, string function)
    {
        if (result != NvmlNative.Success)
        {
            var message = Marshal.PtrToStringAnsi(NvmlNative.ErrorString(result)) ?? "unknown error";
            throw new NvmlException($"{function} failed: {message} (NVML error {result})");
        }
    }
}
