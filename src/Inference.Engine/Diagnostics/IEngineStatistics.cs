namespace Inference.Engine.Diagnostics;

/// <summary>
/// Cumulative work per model since the service started, over every protocol: what the Open Inference
/// Protocol's model statistics report (queue, input preparation and compute durations, executions, batch sizes).
/// </summary>
public interface IEngineStatistics
{
    /// <summary>The model's totals so far; <see cref="ModelRunStatistics.Empty"/> for a model that has done nothing yet.</summary>
    ModelRunStatistics Snapshot(string model);
}
