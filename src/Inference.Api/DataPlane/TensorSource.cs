namespace Inference.Api.DataPlane;

/// <summary>
/// <see cref="Count"/> preprocessed CHW images of <see cref="PerImage"/> floats each, that a frontend decodes straight
/// into the engine's input slots: the JSON tensor reader parses each image's values into its slot, the binary ones copy
/// its bytes there, so a request never holds a whole-tensor float buffer beside its body (issue 10: transient memory
/// at most 2x the body).
/// </summary>
/// <remarks>
/// The data plane calls <see cref="Fill"/> on the caller's thread for image 0, 1, ... in order, at most once each, and
/// stops at the first failure (of a fill, or of admission), so a source may keep a cursor between calls. Whatever a
/// source can check before anything is queued (counts, nesting, ranges) it checks when it is built.
/// </remarks>
public abstract class TensorSource
{
    protected TensorSource(int count, int perImage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(perImage);
        Count = count;
        PerImage = perImage;
    }

    /// <summary>How many images.</summary>
    public int Count { get; }

    /// <summary>Floats per image (the model's 3*H*W when the request is right; the engine checks it).</summary>
    public int PerImage { get; }

    /// <summary>Writes image <paramref name="image"/> into <paramref name="slot"/> (exactly <see cref="PerImage"/> floats).</summary>
    public abstract void Fill(int image, Span<float> slot);

    /// <summary>Images already laid end to end in memory (gRPC typed contents, tests).</summary>
    public static TensorSource Of(ReadOnlyMemory<float> chw, int count) => new MemorySource(chw, count);

    private sealed class MemorySource(ReadOnlyMemory<float> chw, int count) : TensorSource(count, count > 0 ? chw.Length / count : 0)
    {
        public override void Fill(int image, Span<float> slot) => chw.Span.Slice(image * PerImage, PerImage).CopyTo(slot);
    }
}
