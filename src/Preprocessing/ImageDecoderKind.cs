namespace Inference.Preprocessing;

/// <summary>
/// Which library decodes the image; the resize, crop and normalisation after it are the same Pillow-exact code.
/// Config: <c>Inference:Decoder</c> (global) and <c>"decoder"</c> in a model's <c>config.json</c>.
/// </summary>
public enum ImageDecoderKind
{
    /// <summary>
    /// Skia for what it reads (JPEG, PNG, WebP, BMP, GIF), ImageSharp for the rest (TIFF); full-size YCbCr and grayscale
    /// JPEGs through the system's libjpeg-turbo (<c>libturbojpeg.so.0</c>, with SIMD) where it is installed, with the
    /// same bytes in about 0.6x the time.
    /// </summary>
    Auto = 0,

    /// <summary>SkiaSharp (libjpeg-turbo, libpng, libwebp): byte-identical to Pillow, native, fastest. No TIFF.</summary>
    Skia = 1,

    /// <summary>SixLabors.ImageSharp 2.x: pure managed, every format including TIFF; its JPEG IDCT differs from libjpeg's.</summary>
    ImageSharp = 2,
}
