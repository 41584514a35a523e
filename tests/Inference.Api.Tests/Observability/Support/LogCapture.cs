using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Inference.Api.Tests.Observability.Support;

/// <summary>A Serilog sink (registered in DI; the service reads sinks from its services) that keeps every event.</summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyCollection<LogEvent> Events => _events;

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);
}
