namespace Inference.Engine.Runtime;

/// <summary>What one forward pass did: how many images, and how long the run took.</summary>
internal readonly record struct BatchRun(int Size, TimeSpan Elapsed);
