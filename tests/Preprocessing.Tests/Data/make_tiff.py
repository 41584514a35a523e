#!/usr/bin/python3
"""TIFF reference images for the ImageSharp decoder (tests/Preprocessing.Tests/Data).

Made with Pillow from two photos of the shared fidelity set (../shared/fidelity/images from the repository root),
scaled down to keep them small, in the TIFF variants the service serves: 8-bit RGB and grayscale, uncompressed,
LZW and Deflate, a palette, RGBA (alpha dropped, as convert('RGB')), an EXIF-rotated one (orientation 6 in the
first directory) and a two-page file (the first page is served). For each, <file>.s64c56.rgb is torchvision's
crop: PIL open -> convert('RGB') -> T.Resize(64) (bilinear, antialiased) -> T.CenterCrop(56), row-major HWC RGB
uint8, as make_expected.py in the shared set does at 256/224. No exif_transpose here: Pillow's libtiff reader
already turns a compressed TIFF upright when it loads it (TiffImagePlugin's _tile_orientation), and
exif_transpose on top would turn it a second time (Pillow 9.4 still sees the tag).
  apt-get install -y python3-pil python3-numpy python3-torchvision && /usr/bin/python3 make_tiff.py
Produced with Pillow 9.4.0 and torchvision 0.14.1 (Debian bookworm).
"""
import os

import numpy as np
import torchvision.transforms as T
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "..", "shared", "fidelity", "images")


def make_images():
    a = Image.open(os.path.join(SHARED, "skimage_chelsea.png")).convert("RGB").resize((120, 79), Image.BICUBIC)
    b = Image.open(os.path.join(SHARED, "opencv_squirrel_cls.jpg")).convert("RGB").resize((90, 112), Image.BICUBIC)
    out = lambda n: os.path.join(HERE, n)
    a.save(out("rgb_raw.tif"))
    a.save(out("rgb_lzw.tif"), compression="tiff_lzw")
    a.save(out("rgb_deflate.tif"), compression="tiff_adobe_deflate")
    b.convert("L").save(out("gray_lzw.tif"), compression="tiff_lzw")
    a.quantize(colors=64).save(out("palette.tif"), compression="tiff_lzw")
    rgba = a.convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize(a.size))  # includes alpha 0 with colour kept
    rgba.save(out("rgba_lzw.tif"), compression="tiff_lzw")
    b.transpose(Image.Transpose.ROTATE_90).save(out("exif6.tif"), compression="tiff_lzw", tiffinfo={0x0112: 6})
    b.save(out("multipage.tif"), compression="tiff_lzw", save_all=True, append_images=[a])


def main():
    make_images()
    resize, crop = T.Resize(64), T.CenterCrop(56)
    names = sorted(n for n in os.listdir(HERE) if n.endswith(".tif"))
    for name in names:
        with Image.open(os.path.join(HERE, name)) as im:
            out = np.asarray(crop(resize(im.convert("RGB"))), dtype=np.uint8)
        assert out.shape == (56, 56, 3), (name, out.shape)
        with open(os.path.join(HERE, f"{name}.s64c56.rgb"), "wb") as f:
            f.write(out.tobytes())
    print(len(names), "TIFF files")


if __name__ == "__main__":
    main()
