using System.Globalization;
using Inference.Engine.Inference;
using Inference.Preprocessing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Inference.Api.Rest;

/// <summary>Maps every failure of a REST request to an RFC 7807 problem with a message that says what is wrong.</summary>
internal static class Problems
{
    /// <summary>The problem for <paramref name="error"/>, or null when the exception is not a known request failure.</summary>
    public static ProblemHttpResult? For(Exception error, HttpContext context) => error switch
    {
        ApiProblemException e => Problem(e.StatusCode, e.Title, e.Message),
        ImageProcessingException { Code: ImageErrorCode.TooManyBytes } e => Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", e.Message),
        ImageProcessingException e => Problem(StatusCodes.Status400BadRequest, "Invalid image", e.Message),
        InferenceException e => ForEngine(e, context),
        BadHttpRequestException e => Problem(e.StatusCode, e.StatusCode == 413 ? "Payload too large" : "Bad request", e.Message),
        _ => null,
    };

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    private static ProblemHttpResult ForEngine(InferenceException error, HttpContext context)
    {
        switch (error.Code)
        {
            case InferenceErrorCode.ModelNotFound:
                return Problem(StatusCodes.Status404NotFound, "Model not found", error.Message);
            case InferenceErrorCode.QueueFull:
                var seconds = Math.Max(1, (int)Math.Ceiling((error.RetryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds));
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status429TooManyRequests, "Queue full", error.Message);
            case InferenceErrorCode.DeadlineExceeded:
                return Problem(StatusCodes.Status504GatewayTimeout, "Deadline exceeded", error.Message);
            case InferenceErrorCode.ModelNotReady:
                return Problem(StatusCodes.Status503ServiceUnavailable, "Model not ready", error.Message);
            case InferenceErrorCode.ShuttingDown:
                return Problem(StatusCodes.Status503ServiceUnavailable, "Shutting down", error.Message);
            case InferenceErrorCode.InvalidInput:
            case InferenceErrorCode.OutputNotAvailable:
                return Problem(StatusCodes.Status400BadRequest, "Invalid request", error.Message);
            default:
                return Problem(StatusCodes.Status500InternalServerError, "Inference failed", error.Message);
        }
    }
}
