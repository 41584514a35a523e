namespace Inference.Engine.Inference;

/// <summary>A typed engine failure whose message says what went wrong.</summary>
public sealed class InferenceException : Exception
{
    public InferenceException(InferenceErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public InferenceErrorCode Code { get; }

    /// <summary>For QueueFull: a hint for the client's Retry-After.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>Why the engine refused or failed a request. Protocols map these to status codes.</summary>
public enum InferenceErrorCode
{
    /// <summary>No such model (REST 404, gRPC NOT_FOUND).</summary>
    ModelNotFound,

    /// <summary>The model is still loading or failed to load (503, UNAVAILABLE).</summary>
    ModelNotReady,

    /// <summary>The model's queue is full (429 with Retry-After, RESOURCE_EXHAUSTED).</summary>
    QueueFull,

    /// <summary>The request's deadline passed before it ran (504, DEADLINE_EXCEEDED).</summary>
    DeadlineExceeded,

    /// <summary>The service is draining (503, UNAVAILABLE).</summary>
    ShuttingDown,

    /// <summary>A tensor input of the wrong shape or length (400, INVALID_ARGUMENT).</summary>
    InvalidInput,

    /// <summary>The model does not expose the requested output, e.g. no embedding tensor (400, INVALID_ARGUMENT).</summary>
    OutputNotAvailable,

    /// <summary>ONNX Runtime failed while running the batch (500, INTERNAL): a server fault, not the client's.</summary>
    ExecutionFailed,
}
