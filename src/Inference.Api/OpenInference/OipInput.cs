namespace Inference.Api.OpenInference;

/// <summary>One input tensor of an inference request, decoded from either binding: FP32 values or BYTES elements.</summary>
internal sealed record OipInput(string Name, string Datatype, long[] Shape, float[]? Fp32, IReadOnlyList<ReadOnlyMemory<byte>>? Bytes);
