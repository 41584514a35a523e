using System.Collections.Concurrent;
using Inference.Contracts.OpenInference;
using Inference.Engine.Inference;
using Inference.Engine.Models;

namespace Inference.Api.OpenInference;

/// <summary>
/// Cumulative per-model statistics of the inference requests served through the Open Inference Protocol
/// (gRPC and REST), in Triton's shape. Executions are counted from the batch size each result reports:
/// an image that ran in a batch of B adds 1/B of an execution.
/// </summary>
public sealed class OipStatistics(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Counters> _models = new(StringComparer.Ordinal);

    internal void RecordSuccess(ModelDescriptor model, IReadOnlyList<InferenceResult> results, TimeSpan elapsed)
    {
        var executions = results.Sum(static r => 1.0 / Math.Max(1, r.BatchSize));
        var counters = _models.GetOrAdd(model.Name, static _ => new Counters());
        lock (counters)
        {
            counters.SuccessCount++;
            counters.SuccessNs += ToNs(elapsed);
            counters.Inferences += (ulong)results.Count;
            counters.Executions += executions;
            counters.LastInferenceMs = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();
        }
    }

    internal void RecordFailure(ModelDescriptor model, TimeSpan elapsed)
    {
        var counters = _models.GetOrAdd(model.Name, static _ => new Counters());
        lock (counters)
        {
            counters.FailCount++;
            counters.FailNs += ToNs(elapsed);
            counters.LastInferenceMs = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();
        }
    }

    public ModelStatistics Snapshot(ModelDescriptor model)
    {
        var statistics = new ModelStatistics
        {
            Name = model.Name,
            Version = model.Version,
            InferenceStats = new InferStatistics
            {
                Success = new StatisticDuration(),
                Fail = new StatisticDuration(),
                Queue = new StatisticDuration(),
                ComputeInput = new StatisticDuration(),
                ComputeInfer = new StatisticDuration(),
                ComputeOutput = new StatisticDuration(),
            },
        };
        if (_models.TryGetValue(model.Name, out var counters))
        {
            lock (counters)
            {
                statistics.LastInference = counters.LastInferenceMs;
                statistics.InferenceCount = counters.Inferences;
                statistics.ExecutionCount = (ulong)Math.Round(counters.Executions);
                statistics.InferenceStats.Success = new StatisticDuration { Count = counters.SuccessCount, Ns = counters.SuccessNs };
                statistics.InferenceStats.Fail = new StatisticDuration { Count = counters.FailCount, Ns = counters.FailNs };
            }
        }

        return statistics;
    }

    private static ulong ToNs(TimeSpan elapsed) => (ulong)Math.Max(0, elapsed.Ticks) * 100;

    private sealed class Counters
    {
        public ulong SuccessCount;
        public ulong SuccessNs;
        public ulong FailCount;
        public ulong FailNs;
        public ulong Inferences;
        public double Executions;
        public ulong LastInferenceMs;
    }
}
