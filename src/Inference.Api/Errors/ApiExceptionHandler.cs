using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Inference.Api.Errors;

/// <summary>
/// Answers every failure of an HTTP request from the <see cref="ErrorTable"/>: RFC 7807 problem+json on the REST API,
/// and Triton's <c>{"error": "..."}</c> on endpoints marked with <see cref="TritonErrorFormat"/> (the Open Inference
/// Protocol's REST binding). Client errors log at Debug (the request log has them); server faults log their exception at Error.
/// A request whose connection went away (cancelled, reset) is answered 499, so that it is logged as aborted.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException || (exception is IOException && exception is not BadHttpRequestException))
        {
            // The connection went away mid-request (reset, cancelled): nobody reads an answer, and it is not a fault.
            Aborted(logger, context.Request.Method, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            return true;
        }

        var row = ErrorTable.For(exception);
        var detail = ErrorTable.Detail(exception);
        if (ErrorTable.Find(exception) is null)
        {
            Faulted(logger, context.Request.Method, context.Request.Path, exception);
        }
        else
        {
            Refused(logger, context.Request.Method, context.Request.Path, row.Status, detail);
        }

        if (ErrorTable.RetryAfterSeconds(exception) is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        // The middleware clears the endpoint before calling handlers; its feature keeps the one that failed.
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<TritonErrorFormat>() is not null)
        {
            context.Response.StatusCode = row.OipStatus;
            context.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(context.Response.Body);
            json.WriteStartObject();
            json.WriteString("error", detail);
            json.WriteEndObject();
            await json.FlushAsync(cancellationToken);
            return true;
        }

        context.Response.StatusCode = row.Status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = row.Status, Title = row.Title, Detail = detail },
        });
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "HTTP {Method} {Path} refused with {StatusCode}: {Detail}")]
    private static partial void Refused(ILogger logger, string method, string path, int statusCode, string detail);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "HTTP {Method} {Path} aborted by the client")]
    private static partial void Aborted(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "HTTP {Method} {Path} failed")]
    private static partial void Faulted(ILogger logger, string method, string path, Exception exception);
}

/// <summary>Endpoint metadata: errors are answered in Triton's <c>{"error": "..."}</c> instead of problem+json.</summary>
public sealed class TritonErrorFormat
{
    public static TritonErrorFormat Instance { get; } = new();

    private TritonErrorFormat()
    {
    }
}
