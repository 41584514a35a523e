using System.Diagnostics.Metrics;

namespace Inference.Engine.Diagnostics;

/// <summary>Per-model values sampled at collection time.</summary>
public interface IEngineGauges
{
    IEnumerable<Measurement<int>> QueueDepths();

    IEnumerable<Measurement<int>> Readiness();

    IEnumerable<Measurement<double>> Uptimes();

    /// <summary>Live ONNX Runtime sessions of the whole engine (one per served version, two per model mid-swap).</summary>
    IEnumerable<Measurement<int>> Sessions() => [];
}
