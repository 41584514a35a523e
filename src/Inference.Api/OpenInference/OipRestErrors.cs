using Inference.Engine.Inference;
using Inference.Preprocessing;

namespace Inference.Api.OpenInference;

/// <summary>Errors of the OIP REST binding: <c>{"error": "..."}</c> with the HTTP status codes Triton uses.</summary>
internal static class OipRestErrors
{
    /// <summary>Triton: NOT_FOUND 404, UNAVAILABLE 503 (not ready, queue full, timeout, shutdown), INTERNAL 500, the rest 400.</summary>
    public static int StatusCodeOf(Exception exception) => exception switch
    {
        InferenceException { Code: InferenceErrorCode.ModelNotFound } => StatusCodes.Status404NotFound,
        InferenceException { Code: InferenceErrorCode.ModelNotReady or InferenceErrorCode.ShuttingDown or InferenceErrorCode.QueueFull or InferenceErrorCode.DeadlineExceeded }
            => StatusCodes.Status503ServiceUnavailable,
        InferenceException { Code: InferenceErrorCode.ExecutionFailed } => StatusCodes.Status500InternalServerError,
        InferenceException or ImageProcessingException => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IResult ToResult(Exception exception, HttpContext context)
    {
        if (exception is InferenceException { Code: InferenceErrorCode.QueueFull, RetryAfter: { } retryAfter })
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var code = StatusCodeOf(exception);
        var message = code == StatusCodes.Status500InternalServerError && exception is not InferenceException
            ? "Internal error while running the request."
            : exception.Message;
        return Error(code, message);
    }

    public static IResult Error(int statusCode, string message) =>
        Results.Json(new ErrorBody(message), OipRestJsonContext.Default.ErrorBody, statusCode: statusCode);

    internal sealed record ErrorBody(string Error);
}
