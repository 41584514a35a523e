using System.Buffers;

namespace Inference.Api.OpenInference;

/// <summary>
/// A protocol-neutral ModelInfer request; both bindings decode into it. <paramref name="BinaryOutputs"/> is the REST
/// request's <c>binary_data_output</c>: it also applies to the default output when none is requested. Dispose it once
/// the inference is done: its tensors may live in pooled buffers (<see cref="Buffers"/>).
/// </summary>
internal sealed record OipInferRequest(
    string ModelName, string ModelVersion, string Id, IReadOnlyList<OipInput> Inputs, IReadOnlyList<OipRequestedOutput> Outputs, bool BinaryOutputs = false)
    : IDisposable
{
    /// <summary>The pooled memory the inputs are views of; returned on <see cref="Dispose"/>.</summary>
    public OipBuffers? Buffers { get; init; }

    public void Dispose() => Buffers?.Dispose();
}

/// <summary>
/// One input tensor of an inference request, decoded from either binding and already checked against its shape:
/// FP32 values (finite, exactly as many as the shape holds) or BYTES elements.
/// </summary>
internal sealed record OipInput(string Name, string Datatype, long[] Shape, ReadOnlyMemory<float> Fp32, IReadOnlyList<ReadOnlyMemory<byte>>? Bytes);

/// <summary>A requested output: its name, Triton's classification count (0: the raw tensor) and whether REST should send it as binary.</summary>
internal sealed record OipRequestedOutput(string Name, int ClassificationCount, bool BinaryData);

/// <summary>One output tensor: FP32 values, or BYTES strings for a classification output.</summary>
internal sealed record OipOutput(string Name, string Datatype, long[] Shape, float[]? Fp32, string[]? Bytes, bool BinaryData);

internal sealed record OipInferResponse(string ModelName, string ModelVersion, string Id, IReadOnlyList<OipOutput> Outputs);

/// <summary>
/// The pooled arrays one request's tensors live in (the REST body, decoded FP32 values), returned to
/// <see cref="ArrayPool{T}.Shared"/> once. A 30 MB JSON body then costs no garbage-collected memory per request.
/// </summary>
internal sealed class OipBuffers : IDisposable
{
    private readonly List<byte[]> _bytes = [];
    private readonly List<float[]> _floats = [];

    /// <summary>Takes ownership of a pooled byte array (the request body), returned on disposal.</summary>
    public void Adopt(byte[] pooled) => _bytes.Add(pooled);

    /// <summary>Exactly <paramref name="length"/> floats over a pooled array, owned until disposal.</summary>
    public Memory<float> RentFloats(int length)
    {
        var array = ArrayPool<float>.Shared.Rent(length);
        _floats.Add(array);
        return array.AsMemory(0, length);
    }

    public void Dispose()
    {
        foreach (var array in _bytes)
        {
            ArrayPool<byte>.Shared.Return(array);
        }

        foreach (var array in _floats)
        {
            ArrayPool<float>.Shared.Return(array);
        }

        _bytes.Clear();
        _floats.Clear();
    }
}
