namespace Inference.Onnx.ResNet;

/// <summary>One initializer to generate: uniform in [-<paramref name="Bound"/>, <paramref name="Bound"/>).</summary>
internal sealed record WeightSpec(string Name, long[] Dims, float Bound);
