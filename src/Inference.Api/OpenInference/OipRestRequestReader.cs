using System.Text;
using System.Text.Json;

namespace Inference.Api.OpenInference;

/// <summary>
/// Reads an OIP REST infer body: the JSON tensor format, optionally followed by binary tensor data
/// (binary tensor extension: <c>Inference-Header-Content-Length</c> gives the JSON's length, and each input
/// with <c>parameters.binary_data_size</c> takes that many bytes, in input order).
/// </summary>
internal static class OipRestRequestReader
{
    public static OipInferRequest Read(string model, string? version, ReadOnlyMemory<byte> body, int? headerLength)
    {
        if (headerLength is { } length && (length < 0 || length > body.Length))
        {
            throw new OipRequestException($"{OipNames.HeaderContentLength} is {length} but the body has {body.Length} bytes.");
        }

        var json = headerLength is { } jsonLength ? body[..jsonLength] : body;
        var binary = headerLength is { } binaryStart ? body[binaryStart..] : ReadOnlyMemory<byte>.Empty;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new OipRequestException($"The request body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array)
            {
                throw new OipRequestException("The request must be a JSON object with an \"inputs\" array.");
            }

            var id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : string.Empty;
            var binaryOutputs = Parameter(root, OipNames.BinaryDataOutputParameter) is { ValueKind: JsonValueKind.True };
            var offset = 0;
            var inputs = new List<OipInput>();
            foreach (var input in inputsElement.EnumerateArray())
            {
                inputs.Add(ReadInput(input, binary, ref offset));
            }

            if (offset != binary.Length)
            {
                throw new OipRequestException($"The body has {binary.Length - offset} bytes of binary data that no input claims.");
            }

            var outputs = new List<OipRequestedOutput>();
            if (root.TryGetProperty("outputs", out var outputsElement) && outputsElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var output in outputsElement.EnumerateArray())
                {
                    var name = RequiredString(output, "name", "output");
                    var classification = Parameter(output, OipNames.ClassificationParameter) is { } k
                        ? (k.ValueKind == JsonValueKind.Number && k.TryGetInt32(out var count) && count > 0
                            ? count
                            : throw new OipRequestException($"Output '{name}': the classification parameter must be a positive integer (a JSON number), not {k.ValueKind.ToString().ToLowerInvariant()} {k.GetRawText()}."))
                        : 0;
                    var binaryData = Parameter(output, OipNames.BinaryDataParameter) is { } flag ? flag.ValueKind == JsonValueKind.True : binaryOutputs;
                    outputs.Add(new OipRequestedOutput(name, classification, binaryData));
                }
            }

            return new OipInferRequest(model, version ?? string.Empty, id, inputs, outputs, binaryOutputs);
        }
    }

    private static OipInput ReadInput(JsonElement input, ReadOnlyMemory<byte> binary, ref int offset)
    {
        var name = RequiredString(input, "name", "input");
        var datatype = RequiredString(input, "datatype", $"input '{name}'");
        if (!input.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw new OipRequestException($"Input '{name}' has no \"shape\" array.");
        }

        var shape = shapeElement.EnumerateArray()
            .Select(d => d.TryGetInt64(out var v) ? v : throw new OipRequestException($"Input '{name}': shape holds a non-integer.")).ToArray();
        if (Parameter(input, OipNames.BinaryDataSizeParameter) is { } sizeElement)
        {
            if (!sizeElement.TryGetInt32(out var size) || size < 0 || size > binary.Length - offset)
            {
                throw new OipRequestException($"Input '{name}': binary_data_size {sizeElement} exceeds the {binary.Length - offset} binary bytes left.");
            }

            var raw = binary.Slice(offset, size);
            offset += size;
            return datatype switch
            {
                OipNames.Fp32 => new OipInput(name, datatype, shape, OipTensorCodec.ReadFp32(raw.Span, name), null),
                OipNames.Bytes => new OipInput(name, datatype, shape, null, OipTensorCodec.ReadBytes(raw, name)),
                _ => new OipInput(name, datatype, shape, null, null),
            };
        }

        if (!input.TryGetProperty("data", out var data))
        {
            throw new OipRequestException($"Input '{name}' has neither \"data\" nor parameters.binary_data_size.");
        }

        return datatype switch
        {
            OipNames.Fp32 => new OipInput(name, datatype, shape, [.. Flatten(data).Select(v => v.ValueKind == JsonValueKind.Number
                ? v.GetSingle() : throw new OipRequestException($"Input '{name}': FP32 data holds a non-number."))], null),
            OipNames.Bytes => new OipInput(name, datatype, shape, null, [.. Flatten(data).Select(v => v.ValueKind == JsonValueKind.String
                ? (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(v.GetString()!) : throw new OipRequestException($"Input '{name}': BYTES data holds a non-string."))]),
            _ => new OipInput(name, datatype, shape, null, null),
        };
    }

    /// <summary>The tensor format allows flat or nested (row-major) arrays.</summary>
    private static IEnumerable<JsonElement> Flatten(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            yield return element;
            yield break;
        }

        foreach (var item in element.EnumerateArray())
        {
            foreach (var leaf in Flatten(item))
            {
                yield return leaf;
            }
        }
    }

    private static JsonElement? Parameter(JsonElement owner, string name) =>
        owner.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value)
            ? value
            : null;

    private static string RequiredString(JsonElement owner, string property, string what) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new OipRequestException($"The {what} has no \"{property}\" string.");
}
