using System.Buffers;
using Inference.Api.Errors;
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
            throw new ApiException(
                ApiErrorCode.UnsupportedMediaType,
                "Send the image as the body with Content-Type image/jpeg, image/png, image/webp, image/bmp, image/gif, image/tiff or application/octet-stream, or several as multipart/form-data 'image' parts.");
        }

        if (type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadMultipartAsync(request, mediaType, maxBytes, cancellationToken).ConfigureAwait(false);
        }

        if (!RawMediaTypes.Contains(type))
        {
            throw new ApiException(
                ApiErrorCode.UnsupportedMediaType,
                $"Content-Type '{ErrorTable.Echo(type)}' is not accepted. Use image/jpeg, image/png, image/webp, image/bmp, image/gif, image/tiff, application/octet-stream or multipart/form-data.");
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
            throw new ApiException(ApiErrorCode.BadMultipart, "multipart/form-data needs a boundary parameter in Content-Type.");
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
                    throw new ApiException(ApiErrorCode.TooManyImages, $"A request may carry at most {MaxImagesPerRequest} 'image' parts.");
                }

                var (buffer, length) = await ReadAllAsync(section.Body, null, maxBytes - total, cancellationToken).ConfigureAwait(false);
                bodies.Add(buffer, length);
                total += length;
            }
        }
        catch (InvalidDataException e)
        {
            // MultipartReader's limits all say "exceeded": only its body length limit is a size problem.
            bodies.Dispose();
            throw e.Message.StartsWith("Multipart body length limit", StringComparison.Ordinal)
                ? TooLarge(maxBytes)
                : new ApiException(ApiErrorCode.BadMultipart, $"The multipart/form-data body is malformed: {e.Message}");
        }
        catch (IOException e) when (e.GetType() == typeof(IOException) && !cancellationToken.IsCancellationRequested)
        {
            // MultipartReader's plain IOException: an empty or truncated body (no first boundary, a part's headers cut
            // off, no closing boundary). Kestrel's own (a reset connection, a body over its limit) are subclasses.
            bodies.Dispose();
            throw new ApiException(
                ApiErrorCode.BadMultipart,
                "The multipart/form-data body ended early: it needs a first boundary, each part's headers and a blank line, and a closing boundary.");
        }
        catch
        {
            bodies.Dispose();
            throw;
        }

        if (bodies.Count == 0)
        {
            bodies.Dispose();
            throw new ApiException(ApiErrorCode.NoImage, "The multipart/form-data body has no part named 'image'.");
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

    private static ApiException TooLarge(long maxBytes) =>
        new(ApiErrorCode.PayloadTooLarge, $"The request body exceeds the limit of {maxBytes} bytes (Inference:MaxImageBytes).");
}

/// <summary>The images of one request, held in pooled buffers until disposed.</summary>
internal sealed class ImageBodies : IReadOnlyList<ReadOnlyMemory<byte>>, IDisposable
{
    private readonly List<(byte[] Buffer, int Length)> _images = [];

    public int Count => _images.Count;

    public bool IsMultipart { get; init; }

    public ReadOnlyMemory<byte> this[int index] => _images[index].Buffer.AsMemory(0, _images[index].Length);

    public void Add(byte[] pooledBuffer, int length) => _images.Add((pooledBuffer, length));

    public IEnumerator<ReadOnlyMemory<byte>> GetEnumerator()
    {
        for (var i = 0; i < _images.Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var (buffer, _) in _images)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _images.Clear();
    }
}
