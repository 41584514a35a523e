namespace Inference.Preprocessing;

/// <summary>
/// Turns encoded image bytes into one model-input slot: NCHW float32, normalised.
/// Implementations are thread-safe and reuse their scratch buffers.
/// </summary>
public interface IImagePreprocessor
{
    /// <summary>
    /// Decodes <paramref name="encoded"/>, resizes and crops it as <paramref name="spec"/> says, and writes
    /// <c>(v/255 - mean)/std</c> as CHW float32 into <paramref name="destination"/>
    /// (length <see cref="PreprocessingSpec.TensorLength"/>).
    /// </summary>
    /// <exception cref="ImageProcessingException">The image is empty, corrupt, unsupported or over a limit.</exception>
    PreprocessResult Preprocess(ReadOnlySpan<byte> encoded, PreprocessingSpec spec, Span<float> destination);
}
