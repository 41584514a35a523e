using System.Text.Json;

namespace Inference.Api.OpenInference;

/// <summary>
/// The JSON of an infer request without its tensor data: id, each input's name, datatype, shape and
/// binary_data_size, where its <c>data</c> value starts, the requested outputs and their parameters. One
/// forward pass of a <see cref="Utf8JsonReader"/> (data arrays are skipped, not materialised).
/// </summary>
internal sealed record OipJsonEnvelope(string Id, IReadOnlyList<OipJsonEnvelope.Input> Inputs, IReadOnlyList<OipJsonEnvelope.Output> Outputs, bool BinaryOutputs)
{
    /// <summary><see cref="DataOffset"/>: where the <c>data</c> value starts in the JSON, -1 without one.</summary>
    internal sealed record Input(string Name, string Datatype, long[] Shape, long? BinaryDataSize, int DataOffset);

    /// <summary><see cref="BinaryData"/>: null when the output does not say (the request's binary_data_output applies).</summary>
    internal sealed record Output(string Name, int Classification, bool? BinaryData);

    public static OipJsonEnvelope Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw OipTensorCodec.Invalid("The request must be a JSON object with an \"inputs\" array.");
        }

        var id = string.Empty;
        List<Input>? inputs = null;
        var outputs = new List<Output>();
        var binaryOutputs = false;
        var seen = new Seen("the request");
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "id"u8, ref seen))
            {
                id = String(ref reader, "\"id\"");
            }
            else if (Is(ref reader, "inputs"u8, ref seen))
            {
                inputs = [];
                ReadArray(ref reader, "\"inputs\"", inputs, ReadInput);
            }
            else if (Is(ref reader, "outputs"u8, ref seen))
            {
                ReadArray(ref reader, "\"outputs\"", outputs, ReadOutput);
            }
            else if (Is(ref reader, "parameters"u8, ref seen))
            {
                var parameters = ReadParameters(ref reader, "the request");
                binaryOutputs = parameters.BinaryDataOutput ?? false;
            }
            else
            {
                reader.Skip();
            }
        }

        // Anything after the closing brace other than whitespace is a JsonException here.
        reader.Read();
        return inputs is null
            ? throw OipTensorCodec.Invalid("The request must be a JSON object with an \"inputs\" array.")
            : new OipJsonEnvelope(id, inputs, outputs, binaryOutputs);
    }

    private static Input ReadInput(ref Utf8JsonReader reader, int index)
    {
        RequireObject(ref reader, $"inputs[{index}]");
        string? name = null, datatype = null;
        long[]? shape = null;
        var dataOffset = -1;
        Parameters parameters = default;
        var seen = new Seen($"inputs[{index}]");
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "name"u8, ref seen))
            {
                name = String(ref reader, $"inputs[{index}].name");
            }
            else if (Is(ref reader, "datatype"u8, ref seen))
            {
                datatype = String(ref reader, $"inputs[{index}].datatype");
            }
            else if (Is(ref reader, "shape"u8, ref seen))
            {
                shape = ReadShape(ref reader, name is null ? $"inputs[{index}]" : $"Input '{OipTensorCodec.Echo(name)}'");
            }
            else if (Is(ref reader, "data"u8, ref seen))
            {
                dataOffset = (int)reader.TokenStartIndex;
                reader.Skip();
            }
            else if (Is(ref reader, "parameters"u8, ref seen))
            {
                parameters = ReadParameters(ref reader, $"inputs[{index}]");
            }
            else
            {
                reader.Skip();
            }
        }

        var label = name is null ? $"inputs[{index}]" : $"Input '{OipTensorCodec.Echo(name)}'";
        return new Input(
            name ?? throw OipTensorCodec.Invalid($"inputs[{index}] has no \"name\" string."),
            datatype ?? throw OipTensorCodec.Invalid($"{label} has no \"datatype\" string."),
            shape ?? throw OipTensorCodec.Invalid($"{label} has no \"shape\" array."),
            parameters.BinaryDataSize,
            dataOffset);
    }

    private static Output ReadOutput(ref Utf8JsonReader reader, int index)
    {
        RequireObject(ref reader, $"outputs[{index}]");
        string? name = null;
        Parameters parameters = default;
        var seen = new Seen($"outputs[{index}]");
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "name"u8, ref seen))
            {
                name = String(ref reader, $"outputs[{index}].name");
            }
            else if (Is(ref reader, "parameters"u8, ref seen))
            {
                parameters = ReadParameters(ref reader, $"outputs[{index}]");
            }
            else
            {
                reader.Skip();
            }
        }

        return new Output(name ?? throw OipTensorCodec.Invalid($"outputs[{index}] has no \"name\" string."), parameters.Classification ?? 0, parameters.BinaryData);
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, string owner)
    {
        var what = $"{owner}: shape";
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw OipTensorCodec.Invalid($"{what} must be an array of integers.");
        }

        var shape = new List<long>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dimension))
            {
                var token = reader.TokenType == JsonTokenType.Number ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan) : reader.TokenType.ToString();
                throw OipTensorCodec.Invalid($"{what}[{shape.Count}] is {OipTensorCodec.Echo(token)}, not a 64-bit integer.");
            }

            shape.Add(dimension);
        }

        return [.. shape];
    }

    /// <summary>The parameters this service reads; the others are skipped, as the protocol allows.</summary>
    private static Parameters ReadParameters(ref Utf8JsonReader reader, string owner)
    {
        RequireObject(ref reader, $"{owner}.parameters");
        Parameters parameters = default;
        var seen = new Seen($"{owner}.parameters");
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "binary_data_size"u8, ref seen))
            {
                parameters.BinaryDataSize = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var size)
                    ? size
                    : throw OipTensorCodec.Invalid($"{owner}: binary_data_size must be an integer byte count.");
            }
            else if (Is(ref reader, "classification"u8, ref seen))
            {
                parameters.Classification = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var k) && k > 0
                    ? k
                    : throw OipTensorCodec.Invalid($"{owner}: classification must be a positive integer (a JSON number), the count of classes to return.");
            }
            else if (Is(ref reader, "binary_data"u8, ref seen))
            {
                parameters.BinaryData = Bool(ref reader, $"{owner}: binary_data");
            }
            else if (Is(ref reader, "binary_data_output"u8, ref seen))
            {
                parameters.BinaryDataOutput = Bool(ref reader, $"{owner}: binary_data_output");
            }
            else
            {
                reader.Skip();
            }
        }

        return parameters;
    }

    private delegate T ElementReader<T>(ref Utf8JsonReader reader, int index);

    /// <summary>Reads each element of the array at the reader into <paramref name="list"/>.</summary>
    private static void ReadArray<T>(ref Utf8JsonReader reader, string what, List<T> list, ElementReader<T> read)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw OipTensorCodec.Invalid($"{what} must be an array.");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(read(ref reader, list.Count));
        }
    }

    /// <summary>Moves to the next property's value; false at the end of the object.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    /// <summary>Whether the current property is <paramref name="name"/>; if so, moves to its value (a repeated one is refused).</summary>
    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, ref Seen seen)
    {
        if (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals(name))
        {
            return false;
        }

        seen.Add(System.Text.Encoding.UTF8.GetString(name));
        reader.Read();
        return true;
    }

    private static void RequireObject(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw OipTensorCodec.Invalid($"{what} must be a JSON object.");
        }
    }

    private static string String(ref Utf8JsonReader reader, string what) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw OipTensorCodec.Invalid($"{what} must be a string.");

    private static bool Bool(ref Utf8JsonReader reader, string what) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw OipTensorCodec.Invalid($"{what} must be true or false."),
    };

    private struct Parameters
    {
        public long? BinaryDataSize;
        public int? Classification;
        public bool? BinaryData;
        public bool? BinaryDataOutput;
    }

    /// <summary>The known properties already read in one object; a repeat is ambiguous, so it is refused.</summary>
    private struct Seen(string owner)
    {
        private List<string>? _names;

        public void Add(string name)
        {
            _names ??= [];
            if (_names.Contains(name))
            {
                throw OipTensorCodec.Invalid($"{owner} has \"{name}\" twice.");
            }

            _names.Add(name);
        }
    }
}
