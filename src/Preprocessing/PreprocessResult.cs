namespace Inference.Preprocessing;

/// <summary>What was decoded: the source size (after EXIF orientation) and the encoded format.</summary>
public readonly record struct PreprocessResult(int SourceWidth, int SourceHeight, string Format);
