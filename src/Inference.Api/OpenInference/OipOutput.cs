namespace Inference.Api.OpenInference;

/// <summary>One output tensor: FP32 values, or BYTES strings for a classification output.</summary>
internal sealed record OipOutput(string Name, string Datatype, long[] Shape, float[]? Fp32, string[]? Bytes, bool BinaryData);
