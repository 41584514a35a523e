using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Inference.TestSupport;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>
/// The service's real endpoints, read from its own files: Kestrel's endpoints in
/// src/Inference.Api/appsettings.json where present, else the Dockerfile's EXPOSE; the readiness path
/// of the Dockerfile's HEALTHCHECK; the health paths mapped in src/Inference.Api.
/// </summary>
internal static partial class ServiceEndpoints
{
    public const string ReadyPath = "/health/ready";
    public const string LivePath = "/health/live";

    public static string Dockerfile => File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "Dockerfile"));

    public static string? AppSettingsPath
    {
        get
        {
            var path = Path.Combine(SharedData.RepositoryRoot, "src", "Inference.Api", "appsettings.json");
            return File.Exists(path) ? path : null;
        }
    }

    public static int RestPort => KestrelPort("Rest") ?? ExposedPorts()[0];

    public static int GrpcPort => KestrelPort("Grpc") ?? ExposedPorts()[1];

    public static IReadOnlyList<int> ExposedPorts()
    {
        var match = ExposeLine().Match(Dockerfile);
        Assert.True(match.Success, "the Dockerfile has no EXPOSE line");
        return [.. match.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
    }

    public static string HealthcheckPath()
    {
        var match = HealthcheckGet().Match(Dockerfile);
        Assert.True(match.Success, "the Dockerfile's HEALTHCHECK sends no GET");
        return match.Groups[1].Value;
    }

    /// <summary>The C# sources of the API, where the health endpoints are mapped.</summary>
    public static string ApiSources() => string.Join('\n',
        Directory.EnumerateFiles(Path.Combine(SharedData.RepositoryRoot, "src", "Inference.Api"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText));

    private static int? KestrelPort(string endpoint)
    {
        if (AppSettingsPath is null)
        {
            return null;
        }

        var url = JsonNode.Parse(File.ReadAllText(AppSettingsPath), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })
            ?["Kestrel"]?["Endpoints"]?[endpoint]?["Url"]?.GetValue<string>();
        return url is null ? null : new Uri(url.Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal)).Port;
    }

    [GeneratedRegex(@"^EXPOSE\s+([0-9 ]+)$", RegexOptions.Multiline)]
    private static partial Regex ExposeLine();

    [GeneratedRegex(@"GET (/\S+) HTTP")]
    private static partial Regex HealthcheckGet();
}
