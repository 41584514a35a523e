using System.Buffers;

namespace Inference.Api.Rest;

/// <summary>The images of one request, held in pooled buffers until disposed.</summary>
internal sealed class ImageBodies : IDisposable
{
    private readonly List<(byte[] Buffer, int Length)> _images = [];

    public int Count => _images.Count;

    public bool IsMultipart { get; init; }

    public ReadOnlyMemory<byte> this[int index] => _images[index].Buffer.AsMemory(0, _images[index].Length);

    public void Add(byte[] pooledBuffer, int length) => _images.Add((pooledBuffer, length));

    public void Dispose()
    {
        foreach (var (buffer, _) in _images)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _images.Clear();
    }
}
