using Inference.Engine.Tests.Support;

namespace Inference.Engine.Tests.Inference;

/// <summary>A request that has been queued (the call returned) and whose result is still to come.</summary>
internal sealed record PendingResult(Task<ResultCopy> Result);
