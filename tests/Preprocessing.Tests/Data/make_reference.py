#!/usr/bin/python3
"""Reference crops for the self-contained format tests (tests/Preprocessing.Tests/Data).

Writes small images in every supported encoding, all of one synthetic photo-like scene, and for each
the crop that torchvision 0.14's rules make of it with Pillow 9.4: PIL open -> exif_transpose ->
convert('RGB') -> Resize(size) (bilinear, antialiased) -> CenterCrop(crop) (zero padding when the crop
is larger); for 16-bit grayscale PNG the high byte (Pillow would clamp the 16-bit value). Output: <file>.<spec>.rgb, row-major HWC RGB uint8. The tests need no Python; this
script only regenerates the data:
  apt-get install -y python3-pil python3-numpy && /usr/bin/python3 make_reference.py
"""
import os
import struct
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
# name -> (resize rule, resize size, crop)
SPECS = {"s64c56": ("short", 64, 56), "stretch64c56": ("stretch", 64, 56), "s48c56": ("short", 48, 56)}


def scene(w=128, h=96, seed=7):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / 9.0) * np.cos(y / 13.0)
    g = 255 * x / w
    b = 255 * (((x - w / 2) ** 2 + (y - h / 2) ** 2) < (h / 3) ** 2)
    img = np.stack([r, g, b], -1) + rng.normal(0, 6, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def png16(path, arr, color_type):
    """Writes a 16-bit PNG (Pillow cannot save 16-bit RGB): arr is HxWxC uint16."""
    h, w = arr.shape[:2]
    raw = b"".join(b"\x00" + arr[i].astype(">u2").tobytes() for i in range(h))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def make_images():
    base = Image.fromarray(scene())
    out = lambda n: os.path.join(HERE, n)
    base.save(out("baseline.jpg"), quality=90)
    base.save(out("progressive.jpg"), quality=90, progressive=True)
    base.convert("L").save(out("gray.jpg"), quality=90)
    base.convert("CMYK").save(out("cmyk.jpg"), quality=90)
    inverse = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
               5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
               8: Image.Transpose.ROTATE_270}
    for o, t in inverse.items():
        exif = Image.Exif()
        exif[0x0112] = o
        base.transpose(t).save(out(f"exif{o}.jpg"), quality=90, exif=exif)
    base.save(out("rgb.png"))
    rgba = base.convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize(base.size))  # includes alpha 0 with colour kept
    rgba.save(out("rgba.png"))
    base.quantize(colors=64).save(out("palette.png"))
    base.quantize(colors=64).save(out("palette_trns.png"), transparency=3)
    base.convert("L").save(out("gray.png"))
    base.convert("LA").save(out("gray_alpha.png"))
    a = scene().astype(np.uint16) * 257 + np.arange(96 * 128 * 3, dtype=np.uint16).reshape(96, 128, 3) % 251
    png16(out("rgb16.png"), a, 2)
    png16(out("rgba16.png"), np.concatenate([a, a[:, :, :1]], -1), 6)
    png16(out("gray16.png"), (a[:, :, 1:2] // 200).astype(np.uint16), 0)
    base.save(out("lossy.webp"), quality=85)
    base.save(out("lossless.webp"), lossless=True)
    rgba.save(out("rgba_lossless.webp"), lossless=True)
    base.save(out("plain.bmp"))
    base.convert("L").save(out("gray.bmp"))
    base.quantize(colors=100).save(out("palette.gif"))
    frames = [base.quantize(colors=64), base.transpose(Image.Transpose.ROTATE_180).quantize(colors=64)]
    frames[0].save(out("animated.gif"), save_all=True, append_images=frames[1:], duration=100, loop=0)
    base.resize((23, 15), Image.BICUBIC).save(out("tiny.png"))
    base.resize((640, 24), Image.BICUBIC).save(out("wide.jpg"), quality=90)


def tv_crop(im, rule, size, crop):
    w, h = im.size
    if rule == "stretch":
        nw, nh = size, size
    else:
        short, long = (w, h) if w <= h else (h, w)
        ns, nl = size, int(size * long / short)
        nw, nh = (ns, nl) if w <= h else (nl, ns)
    if (nw, nh) != (w, h):
        im = im.resize((nw, nh), Image.BILINEAR)
    arr = np.asarray(im, dtype=np.uint8)
    h, w = arr.shape[:2]
    if crop > w or crop > h:
        pl, pt = max(crop - w, 0) // 2, max(crop - h, 0) // 2
        pr, pb = (max(crop - w, 0) + 1) // 2, (max(crop - h, 0) + 1) // 2
        arr = np.pad(arr, ((pt, pb), (pl, pr), (0, 0)))
        h, w = arr.shape[:2]
    top, left = int(round((h - crop) / 2.0)), int(round((w - crop) / 2.0))
    return arr[top:top + crop, left:left + crop]


def main():
    make_images()
    names = sorted(n for n in os.listdir(HERE) if n.split(".")[-1] in ("jpg", "png", "webp", "bmp", "gif"))
    for name in names:
        with Image.open(os.path.join(HERE, name)) as im:
            if im.getexif().get(0x0112, 1) != 1:
                from PIL import ImageOps
                im = ImageOps.exif_transpose(im)
            if name == "gray16.png":
                # Deliberate departure: Pillow 9.4 clamps 16-bit grayscale (mode I) to 0..255; the service keeps the high byte.
                im = Image.fromarray((np.asarray(im, dtype=np.int32) >> 8).astype(np.uint8))
            im = im.convert("RGB")
            specs = SPECS if name == "baseline.jpg" else {"s64c56": SPECS["s64c56"]}
            for spec, (rule, size, crop) in specs.items():
                with open(os.path.join(HERE, f"{name}.{spec}.rgb"), "wb") as f:
                    f.write(tv_crop(im, rule, size, crop).tobytes())
    print(len(names), "images")


if __name__ == "__main__":
    main()
