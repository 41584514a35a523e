using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Runtime;

/// <summary>
/// Sends ONNX Runtime's own log lines through <see cref="ILogger"/> instead of its default sink, which writes
/// coloured text to stderr and so breaks a JSON log (with a read-only home, ORT 1.32 warns
/// "Failed to persist telemetry device ID" while it creates its environment). The environment is process-wide and
/// takes its logging function only when it is created, so this must run before anything else touches ORT;
/// <see cref="SessionFactory"/> calls it before its first session. It also turns ORT's telemetry events off
/// (the image additionally sets <c>ORT_DISABLE_TELEMETRY=1</c>, which stops the device-ID write as well).
/// </summary>
internal static partial class OrtLogging
{
    private static readonly Lock Gate = new();

    // Keeps the delegate alive for as long as native code may call it.
    private static readonly DOrtLoggingFunction Sink = Receive;

    private static ILogger? _target;
    private static bool _initialized;

    /// <summary>Whether ORT's environment was created here with the logging function (false: created earlier by other code).</summary>
    public static bool Routed { get; private set; }

    /// <summary>
    /// Creates ORT's environment with the logging function on the first call; every call makes
    /// <paramref name="logger"/> the one ORT's lines go to (the newest host wins where one process runs several).
    /// </summary>
    public static void EnsureRouted(ILogger logger)
    {
        Volatile.Write(ref _target, logger);
        lock (Gate)
        {
            if (_initialized)
            {
                return;
            }

            _initialized = true;
            if (OrtEnv.IsCreated)
            {
                NotRouted(logger);
                return;
            }

            var options = new EnvironmentCreationOptions
            {
                logId = "inference",
                logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
                loggingFunction = Sink,
            };
            OrtEnv.CreateInstanceWithOptions(ref options).DisableTelemetryEvents();
            Routed = true;
        }
    }

    /// <summary>Writes one ORT log line to <paramref name="logger"/> at the matching level.</summary>
    internal static void Write(ILogger logger, OrtLoggingLevel severity, string category, string codeLocation, string message)
    {
        var level = severity switch
        {
            OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE => LogLevel.Debug,
            OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO => LogLevel.Information,
            OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING => LogLevel.Warning,
            OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR => LogLevel.Error,
            _ => LogLevel.Critical,
        };
        OnnxRuntimeLine(logger, level, category, codeLocation, message);
    }

    /// <summary>Called by ORT on its own threads: it must never throw back into native code.</summary>
    private static void Receive(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        if (Volatile.Read(ref _target) is not { } logger)
        {
            return;
        }

        try
        {
            Write(logger, severity, category, codeLocation, message);
        }
#pragma warning disable CA1031 // an exception here would unwind through ORT's native frames and end the process
        catch (Exception)
#pragma warning restore CA1031
        {
            // The host's logger may already be disposed (a test host, or shutdown); the line is dropped.
        }
    }

    [LoggerMessage(EventId = 1090, Message = "ONNX Runtime ({OrtCategory}, {CodeLocation}): {OrtMessage}")]
    private static partial void OnnxRuntimeLine(ILogger logger, LogLevel level, string ortCategory, string codeLocation, string ortMessage);

    [LoggerMessage(1091, LogLevel.Warning,
        "ONNX Runtime's environment was created before the engine's first session; its own log lines go to stderr unformatted")]
    private static partial void NotRouted(ILogger logger);
}
