using System.Text.Json;

namespace EmbedFolder;

internal static class EmbeddingLine
{
    /// <summary>One JSON line: {"file": ..., "model": ..., "embedding": [...]}.</summary>
    public static string Format(string file, string model, IEnumerable<float> embedding) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["file"] = file, ["model"] = model, ["embedding"] = embedding.ToArray() });
}
