namespace Inference.Engine.Diagnostics;

/// <summary>
/// Cumulative work per model since the service started, over every protocol: what the Open Inference
/// Protocol's model statistics and the request metrics report (requests answered and failed, queue, input
/// preparation and compute durations, executions, batch sizes).
/// </summary>
public interface IEngineStatistics
{
    /// <summary>The model's totals so far; <see cref="ModelRunStatistics.Empty"/> for a model that has done nothing yet.</summary>
    ModelRunStatistics Snapshot(string model);

    /// <summary>One version's totals (the Open Inference Protocol's statistics are per version).</summary>
    ModelRunStatistics Snapshot(string model, string version);

    /// <summary>
    /// Records one finished request for a served model version (the one that computed it, or the one it was meant for): the host's data plane calls it once per request, with the
    /// number of images it carried and how long it took, whether it succeeded or failed.
    /// </summary>
    void RequestCompleted(string model, string version, bool succeeded, int images, TimeSpan elapsed);
}
