using Inference.Preprocessing.Decoding;
using Inference.Preprocessing.Resize;

namespace Inference.Preprocessing.Buffers;

/// <summary>The working memory of one preprocessing call; pooled and reused.</summary>
internal sealed class Scratch : IDisposable
{
    /// <summary>Buffers larger than this are freed after use, so one huge image does not pin memory.</summary>
    internal const long RetainBytes = 16L * 1024 * 1024;

    public NativeBuffer Decoded { get; } = new();

    public NativeBuffer Intermediate { get; } = new();

    public NativeBuffer Crop { get; } = new();

    public AxisCoefficients Horizontal { get; } = new();

    public AxisCoefficients Vertical { get; } = new();

    /// <summary>The system libjpeg-turbo decompressor of this scratch, created on its first JPEG.</summary>
    public TurboJpeg.Handle? Jpeg { get; set; }

    public void Trim()
    {
        Decoded.TrimTo(RetainBytes);
        Intermediate.TrimTo(RetainBytes);
        Crop.TrimTo(RetainBytes);
    }

    public void Dispose()
    {
        Decoded.Dispose();
        Intermediate.Dispose();
        Crop.Dispose();
        Jpeg?.Dispose();
    }
}
