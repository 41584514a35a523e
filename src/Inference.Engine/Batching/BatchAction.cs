namespace Inference.Engine.Batching;

/// <summary>What <see cref="BatchPolicy.Decide{TItem}"/> tells the scheduler to do next.</summary>
public enum BatchAction
{
    /// <summary>No live item is queued: sleep until something arrives.</summary>
    Idle,

    /// <summary>Live items are queued but no batch is due: sleep until <see cref="BatchDecision.WakeAt"/>.</summary>
    Wait,

    /// <summary>Run the first <see cref="BatchDecision.Count"/> live items now (when an executor is free).</summary>
    Dispatch,
}
