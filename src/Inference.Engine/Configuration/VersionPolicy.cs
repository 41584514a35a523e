using System.Text.Json;
using System.Text.Json.Serialization;

namespace Inference.Engine.Configuration;

/// <summary>
/// Which numeric version folders of a model serve, with Triton's semantics: <c>{"latest": N}</c> (the N highest),
/// <c>{"specific": [1, 3]}</c> (those that exist) or <c>"all"</c>. The default is <c>{"latest": 1}</c>.
/// </summary>
[JsonConverter(typeof(VersionPolicyConverter))]
public sealed record VersionPolicy
{
    public static VersionPolicy Default { get; } = new() { Latest = 1 };

    public static VersionPolicy All { get; } = new();

    /// <summary>Serve the N highest versions.</summary>
    public int? Latest { get; init; }

    /// <summary>Serve exactly these versions (those present).</summary>
    public IReadOnlyList<long>? Specific { get; init; }

    /// <summary>The versions of <paramref name="available"/> this policy serves, ascending.</summary>
    public IReadOnlyList<long> Select(IEnumerable<long> available)
    {
        var sorted = available.Distinct().Order().ToArray();
        return Latest is { } latest ? sorted[Math.Max(0, sorted.Length - latest)..]
            : Specific is { } specific ? [.. sorted.Where(specific.Contains)]
            : sorted;
    }

    public override string ToString() =>
        Latest is { } latest ? $"latest {latest}" : Specific is { } specific ? $"specific [{string.Join(", ", specific)}]" : "all";
}

/// <summary>Reads and writes <see cref="VersionPolicy"/> as Triton spells it in JSON.</summary>
internal sealed class VersionPolicyConverter : JsonConverter<VersionPolicy>
{
    private const string Expected = "versionPolicy must be {\"latest\": N}, {\"specific\": [1, 3]} or \"all\"";

    public override VersionPolicy Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return string.Equals(reader.GetString(), "all", StringComparison.OrdinalIgnoreCase) ? VersionPolicy.All : throw new JsonException(Expected);
        }

        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            throw new JsonException(Expected);
        }

        var key = reader.GetString();
        reader.Read();
        VersionPolicy policy;
        if (string.Equals(key, "latest", StringComparison.OrdinalIgnoreCase) && reader.TokenType == JsonTokenType.Number &&
            reader.TryGetInt32(out var latest) && latest >= 1)
        {
            policy = new VersionPolicy { Latest = latest };
        }
        else if (string.Equals(key, "specific", StringComparison.OrdinalIgnoreCase) && reader.TokenType == JsonTokenType.StartArray)
        {
            var versions = new List<long>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var version) || version < 1)
                {
                    throw new JsonException("versionPolicy.specific must list positive integer versions");
                }

                versions.Add(version);
            }

            policy = versions.Count > 0 ? new VersionPolicy { Specific = versions } : throw new JsonException("versionPolicy.specific lists no version");
        }
        else
        {
            throw new JsonException(Expected);
        }

        if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException(Expected + " (one key only)");
        }

        return policy;
    }

    public override void Write(Utf8JsonWriter writer, VersionPolicy value, JsonSerializerOptions options)
    {
        if (value.Latest is { } latest)
        {
            writer.WriteStartObject();
            writer.WriteNumber("latest", latest);
            writer.WriteEndObject();
        }
        else if (value.Specific is { } specific)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("specific");
            JsonSerializer.Serialize(writer, specific, options);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStringValue("all");
        }
    }
}
