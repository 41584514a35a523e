namespace Inference.Preprocessing.Decoding;

/// <summary>
/// The result of decoding: the upright pixels (maybe at a reduced scale) and the upright full size,
/// from which the resize geometry is computed.
/// </summary>
internal readonly record struct DecodedImage(OrientedImage Pixels, int FullWidth, int FullHeight, string Format);
