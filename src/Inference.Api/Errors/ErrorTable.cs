using System.Globalization;
using Grpc.Core;
using Inference.Api.OpenInference;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Preprocessing;

namespace Inference.Api.Errors;

/// <summary>Client errors that a frontend finds itself, before the engine sees the request.</summary>
public enum ApiErrorCode
{
    /// <summary>A query parameter, header or message field out of range (400, INVALID_ARGUMENT).</summary>
    InvalidParameter,

    /// <summary>A body that is not an image or multipart/form-data (415).</summary>
    UnsupportedMediaType,

    /// <summary>A body over Inference:MaxImageBytes (413, RESOURCE_EXHAUSTED).</summary>
    PayloadTooLarge,

    /// <summary>More multipart image parts than a request may carry (413).</summary>
    TooManyImages,

    /// <summary>A malformed or truncated multipart/form-data body (400).</summary>
    BadMultipart,

    /// <summary>A multipart/form-data body without an <c>image</c> part (400).</summary>
    NoImage,

    /// <summary>A model repository load or unload without the admin key (401, UNAUTHENTICATED).</summary>
    Unauthenticated,

    /// <summary>A model repository load or unload with a wrong admin key (403, PERMISSION_DENIED).</summary>
    PermissionDenied,

    /// <summary>The model repository API while <c>Inference:ModelControl</c> is <c>none</c> (404, UNIMPLEMENTED).</summary>
    ModelControlOff,
}

/// <summary>A client error found by a frontend itself (bad parameter, media type, body); its message says what is wrong.</summary>
public sealed class ApiException(ApiErrorCode code, string message) : Exception(message)
{
    public ApiErrorCode Code { get; } = code;
}

/// <summary>
/// One row of the error table: the HTTP status and problem title of the service's own REST API, the gRPC status,
/// and the HTTP status of the Open Inference Protocol's REST binding (Triton's: NOT_FOUND 404, UNAVAILABLE 503,
/// INTERNAL 500, every other client error 400).
/// </summary>
public sealed record ErrorRow(int Status, string Title, StatusCode Grpc, int OipStatus)
{
    /// <summary>A server fault: logged with its exception, answered without internals unless the engine typed it.</summary>
    public bool IsServerFault => Status >= 500 && Status is not (503 or 504);
}

/// <summary>
/// The one table from the typed failures (the engine's <see cref="InferenceErrorCode"/>, the decoders'
/// <see cref="ImageErrorCode"/>, the frontends' <see cref="ApiErrorCode"/> and the few host exceptions) to what every
/// protocol answers. HTTP answers come from <see cref="ApiExceptionHandler"/>, gRPC ones from the gRPC exception
/// interceptor and the EmbedStream item errors; no endpoint catches.
/// </summary>
public static class ErrorTable
{
    /// <summary>The longest client-supplied text echoed into an answer (a model name, a header value).</summary>
    public const int MaxEcho = 128;

    /// <summary>The longest detail sent: gRPC carries it in the <c>grpc-message</c> header, which has a size limit.</summary>
    public const int MaxDetail = 1024;

    private static readonly ErrorRow NotFound = new(404, "Model not found", StatusCode.NotFound, 404);
    private static readonly ErrorRow NotReady = new(503, "Model not ready", StatusCode.Unavailable, 503);
    private static readonly ErrorRow ShuttingDown = new(503, "Shutting down", StatusCode.Unavailable, 503);
    private static readonly ErrorRow QueueFull = new(429, "Queue full", StatusCode.ResourceExhausted, 503);
    private static readonly ErrorRow Deadline = new(504, "Deadline exceeded", StatusCode.DeadlineExceeded, 503);
    private static readonly ErrorRow InvalidRequest = new(400, "Invalid request", StatusCode.InvalidArgument, 400);
    private static readonly ErrorRow ExecutionFailed = new(500, "Inference failed", StatusCode.Internal, 500);
    private static readonly ErrorRow ImageTooLarge = new(413, "Payload too large", StatusCode.ResourceExhausted, 400);
    private static readonly ErrorRow InvalidImage = new(400, "Invalid image", StatusCode.InvalidArgument, 400);
    private static readonly ErrorRow InvalidParameter = new(400, "Invalid parameter", StatusCode.InvalidArgument, 400);
    private static readonly ErrorRow UnsupportedMediaType = new(415, "Unsupported media type", StatusCode.InvalidArgument, 415);
    private static readonly ErrorRow PayloadTooLarge = new(413, "Payload too large", StatusCode.ResourceExhausted, 413);
    private static readonly ErrorRow TooManyImages = new(413, "Too many images", StatusCode.InvalidArgument, 413);
    private static readonly ErrorRow BadMultipart = new(400, "Bad multipart body", StatusCode.InvalidArgument, 400);
    private static readonly ErrorRow NoImage = new(400, "No image", StatusCode.InvalidArgument, 400);
    private static readonly ErrorRow BadRequest = new(400, "Bad request", StatusCode.InvalidArgument, 400);
    private static readonly ErrorRow ServerFault = new(500, "Internal error", StatusCode.Internal, 500);
    private static readonly ErrorRow Unauthenticated = new(401, "Unauthorized", StatusCode.Unauthenticated, 401);
    private static readonly ErrorRow PermissionDenied = new(403, "Forbidden", StatusCode.PermissionDenied, 403);
    private static readonly ErrorRow ModelControlOff = new(404, "Model control off", StatusCode.Unimplemented, 404);
    private static readonly ErrorRow ModelLoadFailed = new(400, "Model load failed", StatusCode.InvalidArgument, 400);
    private static readonly ErrorRow NotInThisMode = new(400, "Not allowed in this model control mode", StatusCode.FailedPrecondition, 400);

    /// <summary>The row for <paramref name="error"/>, or null for an exception no row types (a server fault).</summary>
    public static ErrorRow? Find(Exception error) => error switch
    {
        InferenceException e => e.Code switch
        {
            InferenceErrorCode.ModelNotFound => NotFound,
            InferenceErrorCode.ModelNotReady => NotReady,
            InferenceErrorCode.ShuttingDown => ShuttingDown,
            InferenceErrorCode.QueueFull => QueueFull,
            InferenceErrorCode.DeadlineExceeded => Deadline,
            InferenceErrorCode.InvalidInput or InferenceErrorCode.OutputNotAvailable => InvalidRequest,
            _ => ExecutionFailed,
        },

        // Pixel and dimension limits are 400 like any other undecodable image: only the byte limit is a body size.
        ImageProcessingException { Code: ImageErrorCode.TooManyBytes } => ImageTooLarge,
        ImageProcessingException => InvalidImage,
        ApiException e => e.Code switch
        {
            ApiErrorCode.InvalidParameter => InvalidParameter,
            ApiErrorCode.UnsupportedMediaType => UnsupportedMediaType,
            ApiErrorCode.PayloadTooLarge => PayloadTooLarge,
            ApiErrorCode.TooManyImages => TooManyImages,
            ApiErrorCode.BadMultipart => BadMultipart,
            ApiErrorCode.Unauthenticated => Unauthenticated,
            ApiErrorCode.PermissionDenied => PermissionDenied,
            ApiErrorCode.ModelControlOff => ModelControlOff,
            _ => NoImage,
        },
        ModelControlException e => e.Error switch
        {
            ModelControlError.NotFound => NotFound,
            ModelControlError.InvalidName => InvalidParameter,
            ModelControlError.LoadFailed => ModelLoadFailed,
            _ => NotInThisMode,
        },
        BadHttpRequestException { StatusCode: 413 } => PayloadTooLarge,
        BadHttpRequestException { StatusCode: >= 400 and < 500 } e => BadRequest with { Status = e.StatusCode, OipStatus = e.StatusCode },
        _ => null,
    };

    /// <summary>The row for any exception: an untyped one is a server fault (500, INTERNAL).</summary>
    public static ErrorRow For(Exception error) => Find(error) ?? ServerFault;

    /// <summary>
    /// What the client is told: the typed failure's own message (cut to <see cref="MaxDetail"/>), or for an untyped
    /// server fault a fixed sentence (its exception is logged, never sent).
    /// </summary>
    public static string Detail(Exception error) =>
        Find(error) is null ? "Internal error while running the request." : Truncate(error.Message, MaxDetail);

    /// <summary>The Retry-After of a refusal that has one, in whole seconds (at least 1).</summary>
    public static string? RetryAfterSeconds(Exception error) =>
        error is InferenceException { Code: InferenceErrorCode.QueueFull } e
            ? Math.Max(1, (int)Math.Ceiling((e.RetryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds)).ToString(CultureInfo.InvariantCulture)
            : null;

    /// <summary>Client-supplied text as it may be echoed into an answer: at most <see cref="MaxEcho"/> characters.</summary>
    public static string Echo(string? clientText) => Truncate(clientText ?? string.Empty, MaxEcho);

    private static string Truncate(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
