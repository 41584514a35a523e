using System.Collections.Concurrent;
using Inference.Engine.Diagnostics;

namespace Inference.Api.Observability.Metrics;

/// <summary>
/// Cumulative successful and failed inference requests per served model, over every protocol, with their
/// summed durations: the <c>success</c> and <c>fail</c> of the Open Inference Protocol's model statistics.
/// Fed by <see cref="RequestMetrics.Record"/>, so it counts exactly the requests the request histogram does.
/// </summary>
public sealed class RequestStatistics
{
    private readonly ConcurrentDictionary<string, Totals> _models = new(StringComparer.Ordinal);

    /// <summary>The model's successes and failures so far (zeros for a model no request has reached).</summary>
    public (StageTotal Success, StageTotal Fail) Snapshot(string model)
    {
        if (!_models.TryGetValue(model, out var totals))
        {
            return default;
        }

        lock (totals)
        {
            return (totals.Success, totals.Fail);
        }
    }

    internal void Record(string model, RequestOutcome outcome, TimeSpan elapsed)
    {
        var totals = _models.GetOrAdd(model, static _ => new Totals());
        var duration = elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed;
        lock (totals)
        {
            if (outcome == RequestOutcome.Ok)
            {
                totals.Success = new StageTotal(totals.Success.Count + 1, totals.Success.Total + duration);
            }
            else
            {
                totals.Fail = new StageTotal(totals.Fail.Count + 1, totals.Fail.Total + duration);
            }
        }
    }

    private sealed class Totals
    {
        public StageTotal Success;
        public StageTotal Fail;
    }
}
