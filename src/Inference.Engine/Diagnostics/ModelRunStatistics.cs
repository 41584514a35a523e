namespace Inference.Engine.Diagnostics;

/// <summary>
/// One model's totals. <see cref="Preprocess"/>: images decoded, resized and normalised into the batch input
/// (tensor inputs skip it). <see cref="Queue"/>: images taken from the queue into a batch, with their waits.
/// <see cref="Compute"/>: images that ran, each charged its whole batch's forward pass (as Triton counts
/// per-request compute). <see cref="Executions"/>: forward passes, also split by batch size in <see cref="Batches"/>.
/// </summary>
public sealed record ModelRunStatistics(
    StageTotal Preprocess,
    StageTotal Queue,
    StageTotal Compute,
    long Executions,
    IReadOnlyList<BatchSizeTotal> Batches,
    DateTimeOffset? LastRun)
{
    public static ModelRunStatistics Empty { get; } = new(default, default, default, 0, [], null);

    /// <summary>Images that ran through the model.</summary>
    public long Inferences => Compute.Count;
}
