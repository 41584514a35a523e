namespace Inference.Engine.Diagnostics;

/// <summary>Forward passes of one batch size: how many ran and their summed compute time.</summary>
public readonly record struct BatchSizeTotal(int BatchSize, long Executions, TimeSpan Compute);
