using System.Net;
using System.Text.Json;

namespace Inference.Api.Tests.OpenInference.RealService;

/// <summary>An OIP REST answer split per the binary tensor extension: the JSON header and the binary outputs after it.</summary>
internal sealed record BinaryAnswer(HttpStatusCode Status, string? MediaType, JsonDocument Json, byte[] Binary) : IDisposable
{
    public JsonElement Outputs => Json.RootElement.GetProperty("outputs");

    /// <summary>The binary bytes of output <paramref name="index"/> (outputs without binary data take none).</summary>
    public ReadOnlyMemory<byte> BinaryOf(int index)
    {
        var offset = 0;
        for (var i = 0; i < index; i++)
        {
            offset += SizeOf(Outputs[i]);
        }

        return Binary.AsMemory(offset, SizeOf(Outputs[index]));
    }

    public void Dispose() => Json.Dispose();

    private static int SizeOf(JsonElement output) =>
        output.TryGetProperty("parameters", out var parameters) && parameters.TryGetProperty("binary_data_size", out var size) ? size.GetInt32() : 0;
}
