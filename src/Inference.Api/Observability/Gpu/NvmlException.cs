namespace Inference.Api.Observability.Gpu;

/// <summary>An NVML call returned an error; the message names the call and NVML's description.</summary>
public sealed class NvmlException(string message) : Exception(message);
