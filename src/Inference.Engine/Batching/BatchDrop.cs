namespace Inference.Engine.Batching;

/// <summary>A queued item that must be dropped instead of run: its position in the queue and why.</summary>
public readonly record struct BatchDrop(int Index, DropReason Reason);
