using System.Runtime.InteropServices;
using Inference.Preprocessing.Buffers;

namespace Inference.Preprocessing.Decoding;

/// <summary>
/// Full-size JPEG decoding through the system's libjpeg-turbo (its TurboJPEG API, <c>libturbojpeg.so.0</c>; Debian and
/// Ubuntu: <c>libturbojpeg0</c>). That build has libjpeg-turbo's SIMD code; the copy inside SkiaSharp's native library
/// has none, so the same decode takes about 0.6x the time. The bytes are the same: one library, the accurate integer
/// IDCT and fancy upsampling (Pillow's settings), whose SIMD paths are exact. Only YCbCr and grayscale JPEGs are
/// taken; a file it reports any warning or error for (truncated, corrupt) is left to Skia, so what a bad file gets
/// is what it got before. Used by <see cref="ImageDecoderKind.Auto"/> only.
/// </summary>
internal static unsafe class TurboJpeg
{
    // turbojpeg.h: TJPF_RGBA, TJCS_YCbCr, TJCS_GRAY.
    private const int PixelFormatRgba = 7;
    private const int ColorspaceYCbCr = 1;
    private const int ColorspaceGray = 2;

    private static readonly Functions? Library = Functions.Load();

    /// <summary>The library's file name when it was found, else null.</summary>
    public static string? LibraryName => Library?.Name;

    /// <summary>
    /// Decodes the whole image into <paramref name="pixels"/> as RGBA (alpha 255), as Skia's <c>GetPixels</c> would.
    /// False, with the pixels undefined, when the library is absent or the file is not one it takes cleanly.
    /// </summary>
    public static bool TryDecode(byte* data, int length, int width, int height, byte* pixels, nint rowBytes, Scratch scratch)
    {
        if (Library is null || rowBytes > int.MaxValue)
        {
            return false;
        }

        var handle = scratch.Jpeg ??= new Handle(Library);
        if (handle.IsInvalid)
        {
            return false;
        }

        int headerWidth, headerHeight, subsampling, colorspace;
        var raw = handle.DangerousGetHandle();
        if (Library.Header(raw, data, (nuint)length, &headerWidth, &headerHeight, &subsampling, &colorspace) != 0
            || headerWidth != width || headerHeight != height || colorspace is not (ColorspaceYCbCr or ColorspaceGray))
        {
            return false;
        }

        return Library.Decompress(raw, data, (nuint)length, pixels, width, (int)rowBytes, height, PixelFormatRgba, 0) == 0;
    }

    /// <summary>One decompressor (not thread-safe), kept with a <see cref="Scratch"/> and destroyed with it.</summary>
    internal sealed class Handle : SafeHandle
    {
        private readonly Functions _functions;

        public Handle(Functions functions)
            : base(0, ownsHandle: true)
        {
            _functions = functions;
            SetHandle(functions.Create());
        }

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle() => _functions.Destroy(handle) == 0;
    }

    /// <summary>The four TurboJPEG 2.x entry points it uses (also in 3.x), resolved once.</summary>
    internal sealed class Functions
    {
        private static readonly string[] Names = ["libturbojpeg.so.0", "libturbojpeg.0.dylib", "turbojpeg"];
        private static readonly string[] Exports = ["tjInitDecompress", "tjDestroy", "tjDecompressHeader3", "tjDecompress2"];

        private Functions(string name, nint[] exports)
        {
            Name = name;
            Create = (delegate* unmanaged<nint>)exports[0];
            Destroy = (delegate* unmanaged<nint, int>)exports[1];
            Header = (delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int>)exports[2];
            Decompress = (delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int>)exports[3];
        }

        public string Name { get; }

        public delegate* unmanaged<nint> Create { get; }

        public delegate* unmanaged<nint, int> Destroy { get; }

        public delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int> Header { get; }

        public delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int> Decompress { get; }

        public static Functions? Load()
        {
            foreach (var name in Names)
            {
                if (!NativeLibrary.TryLoad(name, out var library))
                {
                    continue;
                }

                var exports = new nint[Exports.Length];
                var found = 0;
                while (found < Exports.Length && NativeLibrary.TryGetExport(library, Exports[found], out exports[found]))
                {
                    found++;
                }

                if (found == Exports.Length)
                {
                    return new Functions(name, exports);
                }

                NativeLibrary.Free(library);
            }

            return null;
        }
    }
}
