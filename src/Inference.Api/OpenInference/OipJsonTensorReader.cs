using System.Text;
using System.Text.Json;
using Inference.Api.DataPlane;

namespace Inference.Api.OpenInference;

/// <summary>
/// Streams one input's JSON <c>data</c> array (flat, or nested row-major exactly as its shape) with a
/// <see cref="Utf8JsonReader"/> straight into its destination: FP32 values image by image into the engine's input
/// slots, BYTES strings as slices of the body. No DOM, no boxing, no growing list, no whole-tensor float buffer: a
/// 30 MB body costs no garbage and no memory beside itself.
/// </summary>
internal static class OipJsonTensorReader
{
    /// <summary>
    /// Checks the FP32 data against <paramref name="shape"/> in one pass that parses no value it need not (nesting,
    /// token types, count, and the FP32 range), then returns a source that parses each image's values into its slot.
    /// Every client error is found here, before anything is queued.
    /// </summary>
    public static TensorSource ReadFp32(ReadOnlyMemory<byte> json, int dataOffset, string name, long[] shape)
    {
        var count = OipTensorCodec.ElementCount(name, shape);

        // Each number takes at least one byte and a comma: a shape its data could never fill is refused before reading it.
        if (count > (json.Length - dataOffset + 1) / 2)
        {
            throw OipTensorCodec.Invalid(
                $"Input '{OipTensorCodec.Echo(name)}' has shape {OipTensorCodec.Describe(shape)}, which needs {count} values: more than its {json.Length - dataOffset}-byte data can hold.");
        }

        var reader = new Utf8JsonReader(json.Span[dataOffset..]);
        var nesting = new Nesting(name, shape);
        var index = 0;
        nesting.Start(ref reader);
        while (nesting.Next(ref reader))
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw NotANumber(reader.TokenType, name, index);
            }

            if (index == count)
            {
                throw TooMany(name, shape, count);
            }

            // Without an exponent and under 39 characters a number is below 1e38 < float.MaxValue: only the others need parsing.
            if (reader.ValueSpan.Length >= 39 || reader.ValueSpan.IndexOfAny((byte)'e', (byte)'E') >= 0)
            {
                Value(ref reader, name, index);
            }

            index++;
        }

        return index == count
            ? new Fp32Source(json, dataOffset, name, shape, count)
            : throw OipTensorCodec.Invalid($"Input '{OipTensorCodec.Echo(name)}' has {index} FP32 values; shape {OipTensorCodec.Describe(shape)} needs {count}.");
    }

    /// <summary>The current leaf as a finite FP32 value, or the error naming it.</summary>
    private static float Value(ref Utf8JsonReader reader, string name, int index)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw NotANumber(reader.TokenType, name, index);
        }

        // 1e39 parses as Infinity (or fails, depending on the runtime): either way it is no FP32 value.
        return reader.TryGetSingle(out var value) && float.IsFinite(value)
            ? value
            : throw OipTensorCodec.Invalid(
                $"Input '{OipTensorCodec.Echo(name)}': data[{index}] = {Text(reader.ValueSpan)} is outside the FP32 range (±{float.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
    }

    /// <summary>
    /// The checked data array, parsed one image per <see cref="Fill"/>: the reader's state and position are kept
    /// between images (a <see cref="Utf8JsonReader"/> cannot be), and the reader is re-created over the rest.
    /// </summary>
    private sealed class Fp32Source(ReadOnlyMemory<byte> json, int dataOffset, string name, long[] shape, int count)
        : TensorSource((int)shape[0], count / (int)shape[0])
    {
        private Nesting _nesting = new(name, shape);
        private JsonReaderState _state;
        private int _position = dataOffset;
        private int _next;

        public override void Fill(int image, Span<float> slot)
        {
            if (image != _next)
            {
                throw new InvalidOperationException($"Images are filled in order, once each: image {image} was asked for, {_next} comes next.");
            }

            var reader = new Utf8JsonReader(json.Span[_position..], isFinalBlock: true, _state);
            if (image == 0)
            {
                _nesting.Start(ref reader);
            }

            var first = image * PerImage;
            for (var i = 0; i < slot.Length; i++)
            {
                if (!_nesting.Next(ref reader))
                {
                    throw OipTensorCodec.Invalid($"Input '{OipTensorCodec.Echo(name)}' has {first + i} FP32 values; shape {OipTensorCodec.Describe(shape)} needs {count}.");
                }

                slot[i] = Value(ref reader, name, first + i);
            }

            _state = reader.CurrentState;
            _position += (int)reader.BytesConsumed;
            _next++;
        }
    }

    /// <summary>The BYTES elements (JSON strings, as UTF-8): slices of <paramref name="json"/> unless a string has escapes.</summary>
    public static List<ReadOnlyMemory<byte>> ReadBytes(ReadOnlyMemory<byte> json, int dataOffset, string name, long[] shape)
    {
        var count = OipTensorCodec.ElementCount(name, shape);
        var elements = new List<ReadOnlyMemory<byte>>(Math.Min(count, 1024));
        var reader = new Utf8JsonReader(json.Span[dataOffset..]);
        var nesting = new Nesting(name, shape);
        nesting.Start(ref reader);
        while (nesting.Next(ref reader))
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw OipTensorCodec.Invalid($"Input '{OipTensorCodec.Echo(name)}': data[{elements.Count}] is {Kind(reader.TokenType)}, not a string.");
            }

            if (elements.Count == count)
            {
                throw TooMany(name, shape, count);
            }

            if (reader.ValueIsEscaped)
            {
                var unescaped = new byte[reader.ValueSpan.Length];
                elements.Add(unescaped.AsMemory(0, reader.CopyString(unescaped)));
            }
            else
            {
                elements.Add(json.Slice(dataOffset + (int)reader.TokenStartIndex + 1, reader.ValueSpan.Length));
            }
        }

        OipTensorCodec.CheckBytesCount(name, shape, elements.Count);
        return elements;
    }

    private static Engine.Inference.InferenceException NotANumber(JsonTokenType token, string name, int index) =>
        OipTensorCodec.Invalid($"Input '{OipTensorCodec.Echo(name)}': data[{index}] is {Kind(token)}, not a number.");

    private static Engine.Inference.InferenceException TooMany(string name, long[] shape, int count) =>
        OipTensorCodec.Invalid($"Input '{OipTensorCodec.Echo(name)}' has more than {count} values; shape {OipTensorCodec.Describe(shape)} needs {count}.");

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };

    private static string Text(ReadOnlySpan<byte> token) => Encoding.UTF8.GetString(token[..Math.Min(token.Length, 32)]);

    /// <summary>
    /// Walks the data array and checks its nesting against the shape: every leaf at depth 1 (flat) or every leaf at
    /// depth rank with each array as long as its dimension.
    /// </summary>
    private struct Nesting(string name, long[] shape)
    {
        private readonly int[] _counts = new int[shape.Length + 1];
        private int _depth;
        private int _leafDepth;

        public void Start(ref Utf8JsonReader reader)
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw OipTensorCodec.Invalid($"Input '{OipTensorCodec.Echo(name)}': \"data\" must be an array, not {Kind(reader.TokenType)}.");
            }

            _depth = 1;
            _counts[1] = 0;
        }

        /// <summary>Moves to the next leaf; false once the data array has ended.</summary>
        public bool Next(ref Utf8JsonReader reader)
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartArray:
                        if (_leafDepth == 1 || _depth == shape.Length)
                        {
                            throw Mismatch(_leafDepth == 1 ? "mixes flat values and nested arrays" : $"nests deeper than the {shape.Length} levels of its shape");
                        }

                        _counts[_depth]++;
                        _counts[++_depth] = 0;
                        break;
                    case JsonTokenType.EndArray:
                        var length = _counts[_depth];
                        if (_depth > 1 && (length == 0 || length != shape[_depth - 1]))
                        {
                            throw Mismatch($"has an array of {length} at depth {_depth} where the shape says {shape[_depth - 1]}");
                        }

                        if (_depth == 1 && _leafDepth > 1 && length != shape[0])
                        {
                            throw Mismatch($"has {length} arrays at depth 1 where the shape says {shape[0]}");
                        }

                        if (--_depth == 0)
                        {
                            return false;
                        }

                        break;
                    default:
                        if (_leafDepth == 0 && _depth != 1 && _depth != shape.Length)
                        {
                            throw Mismatch($"nests values at depth {_depth}; send them flat or nested {shape.Length} levels deep");
                        }

                        if (_leafDepth != 0 && _depth != _leafDepth)
                        {
                            throw Mismatch("mixes values at different depths");
                        }

                        _leafDepth = _depth;
                        _counts[_depth]++;
                        return true;
                }
            }

            return false;
        }

        private readonly Engine.Inference.InferenceException Mismatch(string problem) =>
            OipTensorCodec.Invalid($"Input '{OipTensorCodec.Echo(name)}': data nesting does not match shape {OipTensorCodec.Describe(shape)}: it {problem}.");
    }
}
