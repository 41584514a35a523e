using System.Text.Json;
using System.Text.RegularExpressions;
using Inference.Container.Tests.Infrastructure;

namespace Inference.Container.Tests.Image;

/// <summary>
/// The container's log is JSON, line for line, ONNX Runtime's own lines included: ORT 1.32 writes a coloured
/// "Failed to persist telemetry device ID" warning to stderr when its home folder is read-only, unless its telemetry is
/// off (the image sets ORT_DISABLE_TELEMETRY=1) or its log is routed (the engine routes it through ILogger).
/// </summary>
[Trait("Category", "Container")]
[Collection(RunningServiceCollection.Name)]
public sealed partial class JsonLogTests(RunningServiceFixture fixture, ITestOutputHelper output)
{
    private const string TelemetryWarning = "Failed to persist telemetry device ID";

    [Fact]
    public async Task Logs_DefaultImage_EveryLineIsJsonAndOrtTelemetryIsOff()
    {
        fixture.Image.SkipWithoutService();

        var lines = NonEmptyLines(await fixture.Service.LogsAsync());

        Assert.NotEmpty(lines);
        Assert.All(lines, AssertJson);
        Assert.DoesNotContain(lines, line => line.Contains(TelemetryWarning, StringComparison.Ordinal));
    }

    /// <summary>The image carries the system libjpeg-turbo (SIMD), and the service says at start that JPEGs go through it.</summary>
    [Fact]
    public async Task Logs_DefaultImage_JpegDecodedBySystemLibjpegTurbo()
    {
        fixture.Image.SkipWithoutService();

        var lines = NonEmptyLines(await fixture.Service.LogsAsync());

        var line = Assert.Single(lines, l => l.Contains("JPEG decoding under the", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(line);
        Assert.Contains("libturbojpeg.so.0", json.RootElement.GetProperty("Decoder").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_OrtTelemetryOnWithReadOnlyHome_OrtWarningIsAJsonEventToo()
    {
        fixture.Image.SkipWithoutService();
        var environment = new Dictionary<string, string> { ["ORT_DISABLE_TELEMETRY"] = "0", ["HOME"] = "/nonexistent" };
        await using var service = await ServiceImageFixture.StartServiceAsync(environment, TestContext.Current.CancellationToken);

        var lines = NonEmptyLines(await service.LogsAsync());
        output.WriteLine(string.Join('\n', lines.Where(l => l.Contains("ONNX Runtime", StringComparison.Ordinal))));

        Assert.All(lines, AssertJson);
        var warning = Assert.Single(lines, line => line.Contains(TelemetryWarning, StringComparison.Ordinal));
        using var json = JsonDocument.Parse(warning);
        Assert.Equal("Warning", json.RootElement.GetProperty("@l").GetString());
        Assert.StartsWith(TelemetryWarning, json.RootElement.GetProperty("OrtMessage").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The log's lines as the service wrote them: Testcontainers asks Docker for each with its timestamp in front.</summary>
    private static List<string> NonEmptyLines(string logs) =>
        [.. logs.Split('\n').Select(l => DockerTimestamp().Replace(l.TrimEnd('\r'), string.Empty, 1)).Where(l => l.Length > 0)];

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z ")]
    private static partial Regex DockerTimestamp();

    private static void AssertJson(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        }
        catch (JsonException e)
        {
            Assert.Fail($"a log line is not JSON ({e.Message}): {line}");
        }
    }
}
