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
