namespace Inference.Engine.Diagnostics;

/// <summary>How many times a stage ran and how long it took in all.</summary>
public readonly record struct StageTotal(long Count, TimeSpan Total);

/// <summary>Forward passes of one batch size: how many ran and their summed compute time.</summary>
public readonly record struct BatchSizeTotal(int BatchSize, long Executions, TimeSpan Compute);

/// <summary>
/// One model's totals. <see cref="Success"/> and <see cref="Fail"/>: requests the host's data plane answered or
/// failed (whatever the protocol), with their durations; <see cref="ImagesAnswered"/>: the images of the successful
/// ones. <see cref="Preprocess"/>: images decoded, resized and normalised into the batch input (tensor inputs skip
/// it). <see cref="Queue"/>: images taken from the queue into a batch, with their waits. <see cref="Compute"/>:
/// images that ran, each charged its whole batch's forward pass (as Triton counts per-request compute).
/// <see cref="Executions"/>: forward passes, also split by batch size in <see cref="Batches"/>.
/// </summary>
public sealed record ModelRunStatistics(
    StageTotal Success,
    StageTotal Fail,
    long ImagesAnswered,
    StageTotal Preprocess,
    StageTotal Queue,
    StageTotal Compute,
    long Executions,
    IReadOnlyList<BatchSizeTotal> Batches,
    DateTimeOffset? LastRun)
{
    public static ModelRunStatistics Empty { get; } = new(default, default, 0, default, default, default, 0, [], null);

    /// <summary>Images that ran through the model.</summary>
    public long Inferences => Compute.Count;
}
