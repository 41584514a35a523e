using Inference.Preprocessing;
using SkiaSharp;

namespace Inference.Api.Tests.Grpc.TestHost;

/// <summary>
/// Stands in for the real preprocessor in these protocol tests: decodes with SkiaSharp, resizes straight to the
/// model's input and normalises with the spec's mean and std. Deterministic, which is all the tests need.
/// </summary>
internal sealed class FakeImagePreprocessor : IImagePreprocessor
{
    public PreprocessResult Preprocess(ReadOnlySpan<byte> encoded, PreprocessingSpec spec, Span<float> destination)
    {
        if (encoded.IsEmpty)
        {
            throw new ImageProcessingException(ImageErrorCode.Empty, "The image is empty (0 bytes).");
        }

        if (encoded.Length > ImageLimits.Default.MaxEncodedBytes)
        {
            throw new ImageProcessingException(ImageErrorCode.TooManyBytes, $"The image has {encoded.Length} bytes; the limit is {ImageLimits.Default.MaxEncodedBytes}.");
        }

        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new ImageProcessingException(ImageErrorCode.UnsupportedFormat, "The image could not be decoded: unknown format.");
        using var decoded = SKBitmap.Decode(codec)
            ?? throw new ImageProcessingException(ImageErrorCode.Corrupt, "The image could not be decoded: corrupt data.");
        using var resized = decoded.Resize(new SKImageInfo(spec.InputWidth, spec.InputHeight, SKColorType.Rgba8888, SKAlphaType.Unpremul), SKSamplingOptions.Default);
        var plane = spec.InputWidth * spec.InputHeight;
        for (var y = 0; y < spec.InputHeight; y++)
        {
            for (var x = 0; x < spec.InputWidth; x++)
            {
                var pixel = resized.GetPixel(x, y);
                var offset = (y * spec.InputWidth) + x;
                destination[offset] = ((pixel.Red / 255f) - spec.Mean[0]) / spec.Std[0];
                destination[plane + offset] = ((pixel.Green / 255f) - spec.Mean[1]) / spec.Std[1];
                destination[(2 * plane) + offset] = ((pixel.Blue / 255f) - spec.Mean[2]) / spec.Std[2];
            }
        }

        return new PreprocessResult(decoded.Width, decoded.Height, "fake");
    }
}
