namespace Inference.Engine.Diagnostics;

/// <summary>The <c>reason</c> label of <c>inference_requests_rejected_total</c> (a closed set).</summary>
public static class RejectReasons
{
    /// <summary>The model's queue (or its input slots) was full: answered 429 / RESOURCE_EXHAUSTED.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>The request's deadline passed while it was queued: answered 504 / DEADLINE_EXCEEDED.</summary>
    public const string Deadline = "deadline";

    /// <summary>The service was draining: answered 503 / UNAVAILABLE.</summary>
    public const string Shutdown = "shutdown";
}
