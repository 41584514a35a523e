using Microsoft.Extensions.Logging;

namespace Inference.Engine.Batching;

internal static partial class BatcherLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Error,
        Message = "Batcher {Name}: executor {ExecutorIndex} threw while running a batch of {BatchSize}; the executor thread keeps running")]
    public static partial void ExecuteFailed(ILogger logger, Exception exception, string name, int executorIndex, int batchSize);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error,
        Message = "Batcher {Name}: executor threw while dropping an item ({Reason})")]
    public static partial void DropFailed(ILogger logger, Exception exception, string name, DropReason reason);
}
