using System.Diagnostics;
using Inference.Engine.Batching;
using Inference.Engine.Inference;

namespace Inference.Engine.Runtime;

/// <summary>One queued image: its input slot, its deadline, and the promise of its result.</summary>
internal sealed class InferenceWorkItem : IBatchItem
{
    private readonly CancellationToken _cancellationToken;
    private readonly TaskCompletionSource<InferenceResult> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InferenceWorkItem(int slot, DateTimeOffset enqueuedAt, DateTimeOffset deadline, InferenceOutputs outputs, CancellationToken cancellationToken)
    {
        Slot = slot;
        EnqueuedAt = enqueuedAt;
        Deadline = deadline;
        Outputs = outputs;
        _cancellationToken = cancellationToken;
        TraceContext = Activity.Current?.Context ?? default;
    }

    /// <summary>The span that submitted the request (default when none): parent of its queue and compute spans.</summary>
    public ActivityContext TraceContext { get; }

    public int Slot { get; }

    public DateTimeOffset EnqueuedAt { get; }

    public DateTimeOffset Deadline { get; }

    public InferenceOutputs Outputs { get; }

    public bool IsCancelled => _cancellationToken.IsCancellationRequested;

    public Task<InferenceResult> Completion => _completion.Task;

    public void Succeed(InferenceResult result)
    {
        if (!_completion.TrySetResult(result))
        {
            // The caller already gave up: nobody will read (and dispose) the result.
            result.Dispose();
        }
    }

    public void Fail(Exception error) => _completion.TrySetException(error);

    public void Cancel() => _completion.TrySetCanceled(_cancellationToken);
}
