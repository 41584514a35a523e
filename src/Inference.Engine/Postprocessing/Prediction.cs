namespace Inference.Engine.Postprocessing;

/// <summary>One class of a top-k answer.</summary>
public readonly record struct Prediction(int Index, string Label, float Probability);
