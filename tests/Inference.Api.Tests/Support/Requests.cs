using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.Tests.Support;

internal static class Requests
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ByteArrayContent Image(byte[] bytes, string mediaType = "image/jpeg")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    public static MultipartFormDataContent Multipart(params byte[][] images)
    {
        var content = new MultipartFormDataContent();
        for (var i = 0; i < images.Length; i++)
        {
            content.Add(Image(images[i]), "image", $"image{i}.jpg");
        }

        return content;
    }

    public static Task<HttpResponseMessage> PostToAsync(this HttpClient client, string path, HttpContent content) =>
        client.PostAsync(new Uri(path, UriKind.Relative), content, TestContext.Current.CancellationToken);

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(Json, TestContext.Current.CancellationToken))!;
}
