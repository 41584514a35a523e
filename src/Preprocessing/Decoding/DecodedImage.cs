namespace Inference.Preprocessing.Decoding;

/// <summary>
/// The result of decoding: the upright pixels (maybe at a reduced scale) and the upright full size,
/// from which the resize geometry is computed, and the DCT scale the pixels were decoded at (1 in exact mode).
/// </summary>
internal readonly record struct DecodedImage(OrientedImage Pixels, int FullWidth, int FullHeight, double Scale, string Format);
