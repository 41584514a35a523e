using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using Inference.Api.Tests.Support;

namespace Inference.Api.Tests.Hostile;

/// <summary>What every hostile answer must be: the expected status, in the protocol's error format, naming the problem, leaking nothing.</summary>
internal static partial class HostileAssert
{
    /// <summary>Absolute paths a message could leak: the machine's roots and this service's own folders.</summary>
    private static readonly string[] ServerPaths =
    [
        "/home/", "/root/", "/tmp/", "/usr/", "/var/", "/work/", "/app/", "/opt/", ":\\",
        Path.GetTempPath(), ServiceFactory.DemoWeightsCache, AppContext.BaseDirectory, Environment.CurrentDirectory,
    ];

    /// <summary>A REST answer: <paramref name="status"/>; for a 4xx an RFC 7807 problem whose detail names <paramref name="keyword"/>.</summary>
    public static async Task RestAsync(HttpResponseMessage response, HttpStatusCode status, string? keyword)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {status}, got {(int)response.StatusCode} {response.StatusCode}: {Shorten(body)}");
        if ((int)status < 400)
        {
            return;
        }

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Message(problem.RootElement.GetProperty("detail").GetString(), keyword);
    }

    /// <summary>An OIP REST answer: <paramref name="status"/>; for a 4xx Triton's <c>{"error": "..."}</c> naming <paramref name="keyword"/>.</summary>
    public static async Task OipRestAsync(HttpResponseMessage response, HttpStatusCode status, string? keyword)
    {
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var text = System.Text.Encoding.UTF8.GetString(body);
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {status}, got {(int)response.StatusCode} {response.StatusCode}: {Shorten(text)}");
        if ((int)status < 400)
        {
            return;
        }

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var error = JsonDocument.Parse(body);
        Message(error.RootElement.GetProperty("error").GetString(), keyword);
    }

    /// <summary>A failed gRPC call: exactly <paramref name="status"/> (so never UNKNOWN or INTERNAL), naming <paramref name="keyword"/>.</summary>
    public static void Grpc(RpcException error, StatusCode status, string? keyword)
    {
        Assert.True(status == error.StatusCode, $"Expected {status}, got {error.StatusCode}: {Shorten(error.Status.Detail)}");
        Message(error.Status.Detail, keyword);
    }

    /// <summary>
    /// A message for a client: not blank, names <paramref name="keyword"/>, bounded in length, and free of server
    /// paths, exception type names and stack frames.
    /// </summary>
    public static void Message(string? message, string? keyword)
    {
        Assert.False(string.IsNullOrWhiteSpace(message), "The error message is empty.");
        if (keyword is not null)
        {
            Assert.Contains(keyword, message, StringComparison.OrdinalIgnoreCase);
        }

        Assert.True(message.Length <= HostileExpectations.MaxMessageChars, $"The message has {message.Length} characters: {Shorten(message)}");
        foreach (var path in ServerPaths)
        {
            Assert.DoesNotContain(path, message, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotMatch(ExceptionTypeName(), message);
        Assert.DoesNotMatch(StackFrame(), message);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : $"{text[..300]}... ({text.Length} chars)";

    [GeneratedRegex(@"\b(System|Microsoft|Grpc|Google|Inference|SkiaSharp)\.[A-Z]\w*|\b[A-Z]\w*Exception\b")]
    private static partial Regex ExceptionTypeName();

    [GeneratedRegex(@"\bat [\w.`<>]+\(")]
    private static partial Regex StackFrame();
}
