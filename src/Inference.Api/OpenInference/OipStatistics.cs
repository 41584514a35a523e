using Inference.Contracts.OpenInference;
using Inference.Engine.Diagnostics;
using Inference.Engine.Models;

namespace Inference.Api.OpenInference;

/// <summary>
/// A model version's statistics in Triton's shape (one entry per version, as Triton reports them), over every protocol the service speaks, all read from the engine's one
/// source (<see cref="IEngineStatistics"/>): success and fail per request (recorded by the data plane, from the
/// decoded request to its results); queue, compute_input (decode, resize
/// and normalise into the batch input) and compute_infer (the forward pass, each image charged its whole batch's)
/// per image, executions and batch sizes. compute_output stays
/// empty: copying the outputs out of the batch is part of the forward pass measured as compute_infer.
/// </summary>
public sealed class OipStatistics(IEngineStatistics engine)
{
    public ModelStatistics Snapshot(ModelDescriptor model)
    {
        var run = engine.Snapshot(model.Name, model.Version);
        var statistics = new ModelStatistics
        {
            Name = model.Name,
            Version = model.Version,
            LastInference = run.LastRun is { } last ? (ulong)Math.Max(0, last.ToUnixTimeMilliseconds()) : 0,
            InferenceCount = (ulong)run.Inferences,
            ExecutionCount = (ulong)run.Executions,
            InferenceStats = new InferStatistics
            {
                Success = Duration(run.Success),
                Fail = Duration(run.Fail),
                Queue = Duration(run.Queue),
                ComputeInput = Duration(run.Preprocess),
                ComputeInfer = Duration(run.Compute),
                ComputeOutput = new StatisticDuration(),
            },
        };
        statistics.BatchStats.AddRange(run.Batches.Select(static batch => new InferBatchStatistics
        {
            BatchSize = (ulong)batch.BatchSize,
            ComputeInput = new StatisticDuration(),
            ComputeInfer = Duration(new StageTotal(batch.Executions, batch.Compute)),
            ComputeOutput = new StatisticDuration(),
        }));
        return statistics;
    }

    /// <summary>Every serving version of <paramref name="models"/> (a model with none, e.g. still loading, as itself).</summary>
    public static IEnumerable<ModelDescriptor> Served(IModelCatalog catalog, IEnumerable<ModelDescriptor> models) =>
        models.SelectMany(model => catalog.Versions(model.Name) is { Count: > 0 } versions ? versions : [model]);

    private static StatisticDuration Duration(StageTotal total) =>
        new() { Count = (ulong)total.Count, Ns = (ulong)total.Total.Ticks * 100 };
}
