namespace Inference.Engine.Diagnostics;

/// <summary>
/// Counts the images one request submits to the engine, so that a host can label its per-request metrics
/// (<c>inference_images_total</c>) without the endpoint code reporting them. The host calls <see cref="Begin"/>
/// at the start of a request; every image the engine receives from that async flow adds one.
/// </summary>
public sealed class ImageTally
{
    private static readonly AsyncLocal<ImageTally?> Ambient = new();
    private int _count;

    private ImageTally()
    {
    }

    /// <summary>Images submitted so far in this request.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Starts a tally for the current async flow (and the calls it makes).</summary>
    public static ImageTally Begin()
    {
        var tally = new ImageTally();
        Ambient.Value = tally;
        return tally;
    }

    internal static void Add()
    {
        if (Ambient.Value is { } tally)
        {
            Interlocked.Increment(ref tally._count);
        }
    }
}
