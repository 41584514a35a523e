namespace Inference.Preprocessing;

/// <summary>Why an image was refused. The API maps TooManyBytes to 413 and the rest to 400.</summary>
public enum ImageErrorCode
{
    Empty,
    UnsupportedFormat,
    Truncated,
    Corrupt,
    TooManyBytes,
    TooManyPixels,
    DimensionTooLarge,
}
