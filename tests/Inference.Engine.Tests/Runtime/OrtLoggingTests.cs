using System.Runtime.CompilerServices;
using Google.Protobuf;
using Inference.Engine.Runtime;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Tests.Runtime;

/// <summary>
/// ONNX Runtime's own log lines reach <see cref="ILogger"/> (so a JSON log stays JSON) instead of its coloured stderr
/// sink. ORT's environment is process-wide and takes its logging function only when created, so this assembly
/// routes it before any test runs (<see cref="RouteBeforeAnyTest"/>), as the service does before its first session.
/// </summary>
[Collection(OrtLoggingCollection.Name)]
public sealed class OrtLoggingTests
{
    [ModuleInitializer]
    internal static void RouteBeforeAnyTest() => OrtLogging.EnsureRouted(NullLogger.Instance);

    [Fact]
    public void EnsureRouted_SessionLogsVerbosely_LinesArriveAtTheLoggerNotStderr()
    {
        var logger = new FakeLogger();
        OrtLogging.EnsureRouted(logger);
        try
        {
            Assert.True(OrtLogging.Routed, "ORT's environment was created before the module initializer routed it");
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE, LogId = "ort-logging-test" };
            using var session = new InferenceSession(IdentityModel(), options);
        }
        finally
        {
            OrtLogging.EnsureRouted(NullLogger.Instance);
        }

        var lines = logger.Collector.GetSnapshot().Where(r => r.Id.Id == 1090).ToList();
        Assert.NotEmpty(lines);
        Assert.Contains(lines, r => r.Level == LogLevel.Debug && r.Message.StartsWith("ONNX Runtime (", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE, LogLevel.Debug)]
    [InlineData(OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO, LogLevel.Information)]
    [InlineData(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, LogLevel.Warning)]
    [InlineData(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, LogLevel.Error)]
    [InlineData(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, LogLevel.Critical)]
    public void Write_OrtSeverity_LogsAtTheMatchingLevelWithCategoryLocationAndMessage(OrtLoggingLevel severity, LogLevel expected)
    {
        var logger = new FakeLogger();

        OrtLogging.Write(logger, severity, "onnxruntime", "telemetry_1ds.cc:613 operator()", "Failed to persist telemetry device ID; using an in-memory identifier");

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(expected, record.Level);
        Assert.Equal(1090, record.Id.Id);
        Assert.Equal(
            "ONNX Runtime (onnxruntime, telemetry_1ds.cc:613 operator()): Failed to persist telemetry device ID; using an in-memory identifier",
            record.Message);
    }

    /// <summary>y = Identity(x), x float [1, 4]: the smallest graph ORT makes a session of.</summary>
    private static byte[] IdentityModel()
    {
        var graph = new GraphProto { Name = "identity" };
        graph.Input.Add(ValueInfos.FloatTensor("x", ValueInfos.Fixed(1), ValueInfos.Fixed(4)));
        graph.Output.Add(ValueInfos.FloatTensor("y", ValueInfos.Fixed(1), ValueInfos.Fixed(4)));
        graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "x" }, Output = { "y" } });
        var model = new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = 13 } } };
        return model.ToByteArray();
    }
}

/// <summary>Swaps the process-wide ORT log target: never beside another test of this collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OrtLoggingCollection
{
    public const string Name = "ORT logging";
}
