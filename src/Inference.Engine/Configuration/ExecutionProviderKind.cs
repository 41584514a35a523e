namespace Inference.Engine.Configuration;

public enum ExecutionProviderKind
{
    /// <summary>CUDA if it loads, else CPU; the log says which and why.</summary>
    Auto,

    /// <summary>CUDA or fail at start-up.</summary>
    Cuda,

    Cpu,
}
