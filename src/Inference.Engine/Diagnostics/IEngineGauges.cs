using System.Diagnostics.Metrics;

namespace Inference.Engine.Diagnostics;

/// <summary>Per-model values sampled at collection time.</summary>
public interface IEngineGauges
{
    IEnumerable<Measurement<int>> QueueDepths();

    IEnumerable<Measurement<int>> Readiness();

    IEnumerable<Measurement<double>> Uptimes();
}
