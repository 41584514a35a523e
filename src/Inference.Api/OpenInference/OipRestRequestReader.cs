using System.Buffers;
using System.Text.Json;

namespace Inference.Api.OpenInference;

/// <summary>
/// Reads an OIP REST infer body: the JSON tensor format, optionally followed by binary tensor data
/// (binary tensor extension: <c>Inference-Header-Content-Length</c> gives the JSON's length, and each input
/// with <c>parameters.binary_data_size</c> takes that many bytes, in input order). The JSON is read with a
/// <see cref="Utf8JsonReader"/> (no DOM); each data array is checked now and read, image by image, straight into the
/// engine's input slots when the request runs, so the pooled body is the only copy of the tensor.
/// </summary>
internal static class OipRestRequestReader
{
    /// <summary>Reads the body into a pooled buffer and decodes it; the request owns that buffer until disposed.</summary>
    public static async Task<OipInferRequest> ReadAsync(
        string model, string? version, Stream body, long? contentLength, int? headerLength, CancellationToken cancellationToken)
    {
        var buffers = new OipBuffers();
        try
        {
            var bytes = await ReadBodyAsync(body, contentLength, buffers, cancellationToken).ConfigureAwait(false);
            return Decode(model, version, bytes, headerLength, buffers);
        }
        catch
        {
            buffers.Dispose();
            throw;
        }
    }

    /// <summary>Decodes <paramref name="body"/>; the request's tensors may be views of it, so it must outlive the request.</summary>
    public static OipInferRequest Read(string model, string? version, ReadOnlyMemory<byte> body, int? headerLength)
    {
        var buffers = new OipBuffers();
        try
        {
            return Decode(model, version, body, headerLength, buffers);
        }
        catch
        {
            buffers.Dispose();
            throw;
        }
    }

    private static OipInferRequest Decode(string model, string? version, ReadOnlyMemory<byte> body, int? headerLength, OipBuffers buffers)
    {
        if (headerLength is { } length && (length < 0 || length > body.Length))
        {
            throw OipTensorCodec.Invalid($"{OipNames.HeaderContentLength} is {length} but the body has {body.Length} bytes.");
        }

        var json = headerLength is { } jsonLength ? body[..jsonLength] : body;
        var binary = headerLength is { } binaryStart ? body[binaryStart..] : ReadOnlyMemory<byte>.Empty;
        try
        {
            var envelope = OipJsonEnvelope.Read(json.Span);
            var offset = 0;
            var inputs = new List<OipInput>(envelope.Inputs.Count);
            foreach (var input in envelope.Inputs)
            {
                inputs.Add(ReadInput(input, json, binary, ref offset));
            }

            if (offset != binary.Length)
            {
                throw OipTensorCodec.Invalid($"The body has {binary.Length - offset} bytes of binary data that no input claims.");
            }

            var outputs = envelope.Outputs.Select(o => new OipRequestedOutput(o.Name, o.Classification, o.BinaryData ?? envelope.BinaryOutputs)).ToList();
            return new OipInferRequest(model, version ?? string.Empty, envelope.Id, inputs, outputs, envelope.BinaryOutputs) { Buffers = buffers };
        }
        catch (JsonException e)
        {
            throw OipTensorCodec.Invalid($"The request body is not valid JSON: {e.Message}");
        }
    }

    private static OipInput ReadInput(OipJsonEnvelope.Input input, ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> binary, ref int offset)
    {
        var name = OipTensorCodec.Echo(input.Name);
        OipTensorCodec.CheckDatatype(input.Name, input.Datatype);
        if (input.BinaryDataSize is { } size)
        {
            if (input.DataOffset >= 0)
            {
                throw OipTensorCodec.Invalid($"Input '{name}' has both \"data\" and parameters.binary_data_size; send one.");
            }

            if (size < 0 || size > binary.Length - offset)
            {
                throw OipTensorCodec.Invalid(binary.IsEmpty
                    ? $"Input '{name}' has binary_data_size {size} but the request has no binary data (send {OipNames.HeaderContentLength})."
                    : $"Input '{name}': binary_data_size {size} does not fit the {binary.Length - offset} binary bytes left.");
            }

            var raw = binary.Slice(offset, (int)size);
            offset += (int)size;
            if (input.Datatype == OipNames.Bytes)
            {
                var elements = OipTensorCodec.ReadBytes(raw, input.Name);
                OipTensorCodec.CheckBytesCount(input.Name, input.Shape, elements.Count);
                return new OipInput(input.Name, input.Datatype, input.Shape, default, elements);
            }

            var count = OipTensorCodec.ElementCount(input.Name, input.Shape);
            if (size != count * (long)sizeof(float))
            {
                throw OipTensorCodec.Invalid(
                    $"Input '{name}': binary_data_size {size} does not match FP32 shape {OipTensorCodec.Describe(input.Shape)}, which needs {count * (long)sizeof(float)} bytes.");
            }

            return new OipInput(input.Name, input.Datatype, input.Shape, OipTensorCodec.Fp32Source(raw, input.Name, input.Shape), null);
        }

        if (input.DataOffset < 0)
        {
            throw OipTensorCodec.Invalid($"Input '{name}' has neither \"data\" nor parameters.binary_data_size.");
        }

        return input.Datatype == OipNames.Bytes
            ? new OipInput(input.Name, input.Datatype, input.Shape, default, OipJsonTensorReader.ReadBytes(json, input.DataOffset, input.Name, input.Shape))
            : new OipInput(input.Name, input.Datatype, input.Shape, OipJsonTensorReader.ReadFp32(json, input.DataOffset, input.Name, input.Shape), null);
    }

    /// <summary>The whole body in one pooled array (sized by Content-Length when sent); Kestrel enforces the body limit.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(Stream body, long? declaredLength, OipBuffers buffers, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(declaredLength ?? 64 * 1024, 1, Array.MaxLength));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length == Array.MaxLength)
                    {
                        throw OipTensorCodec.Invalid($"The request body exceeds {Array.MaxLength} bytes.");
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, Array.MaxLength));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    buffers.Adopt(buffer);
                    return buffer.AsMemory(0, length);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
