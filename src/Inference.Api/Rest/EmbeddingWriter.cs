using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json;
using Inference.Engine.Inference;

namespace Inference.Api.Rest;

/// <summary>
/// Writes embeddings straight from the engine's pooled rows to the response, as JSON or as raw
/// little-endian float32, normalising on the fly when asked: no per-request float arrays.
/// </summary>
internal static class EmbeddingWriter
{
    public const string DimensionHeader = "Embedding-Dimension";
    public const string CountHeader = "Embedding-Count";

    public static async Task WriteJsonAsync(HttpResponse response, string model, IReadOnlyList<InferenceResult> results, bool multipart, bool normalize)
    {
        response.ContentType = "application/json; charset=utf-8";
        var dimension = results[0].Embedding.Length;
        await using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            json.WriteNumber("dimension", dimension);
            if (multipart)
            {
                json.WriteStartArray("results");
                foreach (var result in results)
                {
                    json.WriteStartObject();
                    WriteVector(json, result.Embedding, normalize);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }
            else
            {
                WriteVector(json, results[0].Embedding, normalize);
            }

            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync();
    }

    public static async Task WriteBinaryAsync(HttpResponse response, IReadOnlyList<InferenceResult> results, bool normalize)
    {
        var dimension = results[0].Embedding.Length;
        response.ContentType = "application/octet-stream";
        response.Headers[DimensionHeader] = dimension.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[CountHeader] = results.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.ContentLength = (long)results.Count * dimension * sizeof(float);
        foreach (var result in results)
        {
            var target = response.BodyWriter.GetSpan(dimension * sizeof(float));
            var floats = MemoryMarshal.Cast<byte, float>(target[..(dimension * sizeof(float))]);
            result.Embedding.CopyTo(floats);
            if (normalize)
            {
                Normalize(floats);
            }

            if (!BitConverter.IsLittleEndian)
            {
                var ints = MemoryMarshal.Cast<float, int>(floats);
                System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(ints, ints);
            }

            response.BodyWriter.Advance(dimension * sizeof(float));
        }

        await response.BodyWriter.FlushAsync();
    }

    private static void WriteVector(Utf8JsonWriter json, ReadOnlySpan<float> vector, bool normalize)
    {
        var scale = normalize ? Scale(vector) : 1f;
        json.WriteStartArray("embedding");
        foreach (var value in vector)
        {
            json.WriteNumberValue(value * scale);
        }

        json.WriteEndArray();
    }

    private static float Scale(ReadOnlySpan<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        return norm > 0 && float.IsFinite(norm) ? 1f / norm : 1f;
    }

    private static void Normalize(Span<float> vector) => TensorPrimitives.Multiply(vector, Scale(vector), vector);
}
