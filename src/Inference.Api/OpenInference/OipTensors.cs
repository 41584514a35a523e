using System.Buffers;
using Inference.Api.DataPlane;

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
/// FP32 images (finite, exactly as many values as the shape holds; read into the engine's slots only when run) or
/// BYTES elements.
/// </summary>
internal sealed record OipInput(string Name, string Datatype, long[] Shape, TensorSource? Fp32, IReadOnlyList<ReadOnlyMemory<byte>>? Bytes);

/// <summary>A requested output: its name, Triton's classification count (0: the raw tensor) and whether REST should send it as binary.</summary>
internal sealed record OipRequestedOutput(string Name, int ClassificationCount, bool BinaryData);

/// <summary>One output tensor: FP32 values, or BYTES strings for a classification output.</summary>
internal sealed record OipOutput(string Name, string Datatype, long[] Shape, float[]? Fp32, string[]? Bytes, bool BinaryData);

internal sealed record OipInferResponse(string ModelName, string ModelVersion, string Id, IReadOnlyList<OipOutput> Outputs);

/// <summary>
/// The pooled arrays one request's tensors live in (the REST body), returned to <see cref="ArrayPool{T}.Shared"/> once.
/// FP32 tensors are read from the body straight into the engine's slots, so a 30 MB JSON body costs no
/// garbage-collected memory and no pooled memory beside itself per request.
/// </summary>
internal sealed class OipBuffers : IDisposable
{
    private readonly List<byte[]> _bytes = [];

    /// <summary>The pooled bytes held now (whole arrays, as rented).</summary>
    public long PooledBytes => _bytes.Sum(static array => (long)array.Length);

    /// <summary>Takes ownership of a pooled byte array (the request body), returned on disposal.</summary>
    public void Adopt(byte[] pooled) => _bytes.Add(pooled);

    public void Dispose()
    {
        foreach (var array in _bytes)
        {
            ArrayPool<byte>.Shared.Return(array);
        }

        _bytes.Clear();
    }
}
