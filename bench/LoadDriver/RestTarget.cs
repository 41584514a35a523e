using System.Net.Http.Headers;

namespace Inference.Bench;

/// <summary>POSTs the image to the running service's REST classify (or embed) endpoint.</summary>
internal sealed class RestTarget(Uri baseUrl, string model, string endpoint, byte[] image, string mediaType, TimeSpan timeout) : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = baseUrl, Timeout = timeout };

    public async Task<bool> SendAsync(CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await _client.PostAsync(new Uri($"/v1/models/{model}/{endpoint}", UriKind.Relative), content, cancellationToken);
        await response.Content.CopyToAsync(Stream.Null, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    public void Dispose() => _client.Dispose();
}
