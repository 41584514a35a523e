namespace Inference.Engine.Diagnostics;

/// <summary>How many times a stage ran and how long it took in all.</summary>
public readonly record struct StageTotal(long Count, TimeSpan Total);
