using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Inference.Api.DataPlane;
using Inference.Contracts.Rest;

namespace Inference.Api.Rest;

/// <summary>
/// Writes embeddings straight from the engine's pooled rows to the response, as JSON (the shape of the
/// <see cref="EmbedResponse"/> and <see cref="EmbedBatchResponse"/> contracts, under their own camelCase names) or as
/// raw little-endian float32, normalising through the data plane when asked: no per-request float arrays.
/// </summary>
internal static class EmbeddingWriter
{
    public const string DimensionHeader = "Embedding-Dimension";
    public const string CountHeader = "Embedding-Count";

    private static readonly JsonEncodedText ModelName = Name(nameof(EmbedResponse.Model));
    private static readonly JsonEncodedText DimensionName = Name(nameof(EmbedResponse.Dimension));
    private static readonly JsonEncodedText EmbeddingName = Name(nameof(EmbedResponse.Embedding));
    private static readonly JsonEncodedText ResultsName = Name(nameof(EmbedBatchResponse.Results));

    public static async Task WriteJsonAsync(HttpResponse response, string model, InferenceBatch batch, bool multipart, bool normalize)
    {
        response.ContentType = "application/json; charset=utf-8";
        var dimension = batch.EmbeddingDimension;
        var vector = ArrayPool<float>.Shared.Rent(dimension);
        try
        {
            await using var json = new Utf8JsonWriter(response.BodyWriter);
            json.WriteStartObject();
            json.WriteString(ModelName, model);
            json.WriteNumber(DimensionName, dimension);
            if (multipart)
            {
                json.WriteStartArray(ResultsName);
                for (var i = 0; i < batch.Count; i++)
                {
                    json.WriteStartObject();
                    WriteVector(json, batch, i, normalize, vector.AsSpan(0, dimension));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }
            else
            {
                WriteVector(json, batch, 0, normalize, vector.AsSpan(0, dimension));
            }

            json.WriteEndObject();
        }
        finally
        {
            ArrayPool<float>.Shared.Return(vector);
        }

        await response.BodyWriter.FlushAsync();
    }

    public static async Task WriteBinaryAsync(HttpResponse response, InferenceBatch batch, bool normalize)
    {
        var dimension = batch.EmbeddingDimension;
        response.ContentType = "application/octet-stream";
        response.Headers[DimensionHeader] = dimension.ToString(CultureInfo.InvariantCulture);
        response.Headers[CountHeader] = batch.Count.ToString(CultureInfo.InvariantCulture);
        response.ContentLength = (long)batch.Count * dimension * sizeof(float);
        for (var i = 0; i < batch.Count; i++)
        {
            var floats = MemoryMarshal.Cast<byte, float>(response.BodyWriter.GetSpan(dimension * sizeof(float))[..(dimension * sizeof(float))]);
            batch.CopyEmbedding(i, normalize, floats);
            if (!BitConverter.IsLittleEndian)
            {
                var ints = MemoryMarshal.Cast<float, int>(floats);
                BinaryPrimitives.ReverseEndianness(ints, ints);
            }

            response.BodyWriter.Advance(dimension * sizeof(float));
        }

        await response.BodyWriter.FlushAsync();
    }

    private static void WriteVector(Utf8JsonWriter json, InferenceBatch batch, int index, bool normalize, Span<float> vector)
    {
        batch.CopyEmbedding(index, normalize, vector);
        json.WriteStartArray(EmbeddingName);
        foreach (var value in vector)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }

    private static JsonEncodedText Name(string property) => JsonEncodedText.Encode(JsonNamingPolicy.CamelCase.ConvertName(property));
}
