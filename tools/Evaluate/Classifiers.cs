using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Inference.Engine.Inference;

namespace Inference.Tools.Evaluate;

/// <summary>Ranks an image's classes, best first, or gives its embedding.</summary>
public interface IImageRanker
{
    Task<IReadOnlyList<int>> RankAsync(byte[] image, int count, CancellationToken cancellationToken);

    Task<float[]> EmbedAsync(byte[] image, CancellationToken cancellationToken);
}

/// <summary>In-process: the engine's logits, ranked (ties by the lower index, as the service ranks them).</summary>
public sealed class EngineRanker(IInferenceEngine engine, string model) : IImageRanker
{
    private static readonly InferenceRequestOptions Logits = new() { Outputs = InferenceOutputs.Logits };
    private static readonly InferenceRequestOptions Embedding = new() { Outputs = InferenceOutputs.Embedding };

    public async Task<float[]> EmbedAsync(byte[] image, CancellationToken cancellationToken)
    {
        using var result = await engine.InferImageAsync(model, image, Embedding, cancellationToken).ConfigureAwait(false);
        return result.Embedding.ToArray();
    }

    public async Task<IReadOnlyList<int>> RankAsync(byte[] image, int count, CancellationToken cancellationToken)
    {
        using var result = await engine.InferImageAsync(model, image, Logits, cancellationToken).ConfigureAwait(false);
        return Rank(result.Logits, count);
    }

    public static int[] Rank(ReadOnlySpan<float> logits, int count)
    {
        var order = new int[logits.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var values = logits.ToArray();
        Array.Sort(order, (a, b) => values[b] != values[a] ? values[b].CompareTo(values[a]) : a.CompareTo(b));
        return order[..Math.Min(count, order.Length)];
    }
}

/// <summary>Over REST: <c>POST /v1/models/{model}/classify?top_k=n</c> with the image as the body.</summary>
public sealed class RestRanker(HttpClient client, string model) : IImageRanker
{
    public async Task<IReadOnlyList<int>> RankAsync(byte[] image, int count, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var uri = new Uri(
            string.Create(CultureInfo.InvariantCulture, $"/v1/models/{Uri.EscapeDataString(model)}/classify?top_k={count}"), UriKind.Relative);
        using var response = await client.PostAsync(uri, content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"classify answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("index").GetInt32())];
    }

    public async Task<float[]> EmbedAsync(byte[] image, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await client.PostAsync(
            new Uri($"/v1/models/{Uri.EscapeDataString(model)}/embed", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"embed answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];
    }
}
