namespace Inference.Api.Rest;

/// <summary>A client error found by the REST layer itself (bad parameter, media type, body size).</summary>
internal sealed class ApiProblemException(int statusCode, string title, string detail) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;

    public string Title { get; } = title;
}
