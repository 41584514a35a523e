using System.Buffers;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Inference.Api.Rest;

/// <summary>
/// Reads one raw image body, or the <c>image</c> parts of a multipart/form-data body, into pooled buffers,
/// enforcing the size limit while reading (413 as soon as it is crossed, whatever Content-Length claims).
/// </summary>
internal static class ImageBodyReader
{
    public const int MaxImagesPerRequest = 64;

    private static readonly HashSet<string> RawMediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/jpeg", "image/jpg", "image/png", "image/webp", "image/bmp", "image/x-ms-bmp", "image/gif", "image/tiff", "application/octet-stream",
    };

    public static async Task<ImageBodies> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.MediaType.Value is not { } type)
        {
            throw new ApiProblemException(
                StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send the image as the body with Content-Type image/jpeg, image/png, image/webp, image/bmp, image/gif, image/tiff or application/octet-stream, or several as multipart/form-data 'image' parts.");
        }

        if (type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadMultipartAsync(request, mediaType, maxBytes, cancellationToken).ConfigureAwait(false);
        }

        if (!RawMediaTypes.Contains(type))
        {
            throw new ApiProblemException(
                StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Content-Type '{type}' is not accepted. Use image/jpeg, image/png, image/webp, image/bmp, image/gif, image/tiff, application/octet-stream or multipart/form-data.");
        }

        var bodies = new ImageBodies();
        try
        {
            var (buffer, length) = await ReadAllAsync(request.Body, request.ContentLength, maxBytes, cancellationToken).ConfigureAwait(false);
            bodies.Add(buffer, length);
            return bodies;
        }
        catch
        {
            bodies.Dispose();
            throw;
        }
    }

    private static async Task<ImageBodies> ReadMultipartAsync(HttpRequest request, MediaTypeHeaderValue mediaType, long maxBytes, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Bad multipart body", "multipart/form-data needs a boundary parameter in Content-Type.");
        }

        var bodies = new ImageBodies { IsMultipart = true };
        try
        {
            var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = maxBytes };
            long total = 0;
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                    !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, "image", StringComparison.Ordinal))
                {
                    continue;
                }

                if (bodies.Count == MaxImagesPerRequest)
                {
                    throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, "Too many images", $"A request may carry at most {MaxImagesPerRequest} 'image' parts.");
                }

                var (buffer, length) = await ReadAllAsync(section.Body, null, maxBytes - total, cancellationToken).ConfigureAwait(false);
                bodies.Add(buffer, length);
                total += length;
            }
        }
        catch (InvalidDataException e)
        {
            bodies.Dispose();
            throw e.Message.Contains("exceeded", StringComparison.OrdinalIgnoreCase)
                ? TooLarge(maxBytes)
                : new ApiProblemException(StatusCodes.Status400BadRequest, "Bad multipart body", $"The multipart/form-data body is malformed: {e.Message}");
        }
        catch
        {
            bodies.Dispose();
            throw;
        }

        if (bodies.Count == 0)
        {
            bodies.Dispose();
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "No image", "The multipart/form-data body has no part named 'image'.");
        }

        return bodies;
    }

    private static async Task<(byte[] Buffer, int Length)> ReadAllAsync(Stream body, long? declaredLength, long maxBytes, CancellationToken cancellationToken)
    {
        var capacity = (int)Math.Clamp(declaredLength ?? 64 * 1024, 1, Math.Min(maxBytes + 1, Array.MaxLength));
        var buffer = ArrayPool<byte>.Shared.Rent(capacity);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        throw TooLarge(maxBytes);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, Math.Min(maxBytes + 1, Array.MaxLength)));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    throw TooLarge(maxBytes);
                }
            }

            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static ApiProblemException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The request body exceeds the limit of {maxBytes} bytes (Inference:MaxImageBytes).");
}
