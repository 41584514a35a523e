using System.Net;
using Grpc.Core;

namespace Inference.Api.Tests.Hostile;

/// <summary>
/// The outcomes of the hostile suite that are a matter of documented policy rather than of right and wrong,
/// each kept in one place so that a change of policy (and of README and docs/grpc.md with it) is one edit here.
/// </summary>
internal static class HostileExpectations
{
    /// <summary>
    /// README's error table (issue 10, defect 11 made README and the service agree): an image over the pixel or
    /// dimension limits is a bad image, 400 / INVALID_ARGUMENT on every protocol; only bytes over the byte limit are 413.
    /// </summary>
    public static bool PixelLimitsAreTooLarge => false;

    /// <summary>REST: an image over <c>Inference:MaxImagePixels</c> or <c>Inference:MaxImageDimension</c>.</summary>
    public static HttpStatusCode PixelLimit => PixelLimitsAreTooLarge ? HttpStatusCode.RequestEntityTooLarge : HttpStatusCode.BadRequest;

    /// <summary>gRPC: as an image over the byte limit (RESOURCE_EXHAUSTED) when REST says 413, else INVALID_ARGUMENT.</summary>
    public static StatusCode PixelLimitGrpc => PixelLimitsAreTooLarge ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument;

    /// <summary>
    /// The OIP REST binding keeps Triton's codes (docs/grpc.md: even an image over the byte limit is 400 there):
    /// every invalid input is 400.
    /// </summary>
    public static HttpStatusCode OipPixelLimit => HttpStatusCode.BadRequest;

    /// <summary>More <c>image</c> parts than <c>ImageBodyReader.MaxImagesPerRequest</c> (64) in one multipart body.</summary>
    public static HttpStatusCode TooManyParts => HttpStatusCode.RequestEntityTooLarge;

    /// <summary>
    /// <c>top_k</c> above the class count returns every class: README's one rule for every protocol (absent or 0
    /// means 5, above the class count is every class, negative or non-integer is 400 / INVALID_ARGUMENT).
    /// </summary>
    public static bool GrpcTopKAboveClassCountReturnsEveryClass => true;

    /// <summary>
    /// Issue 10, defect 1: a request with more images than the model can ever hold at once (test18: 2 running plus
    /// a queue of 3) is a client error naming the limit, not 429/503 with Retry-After.
    /// </summary>
    public const int ImagesOverTest18Capacity = 6;

    /// <summary>Issue 10, defect 10: echoed input is truncated, so no message is longer than this.</summary>
    public const int MaxMessageChars = 1024;
}
