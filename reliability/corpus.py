"""A reproducible corpus of malformed and hostile image files (seeded; nothing binary is committed).

    .venv/bin/python -m reliability.corpus OUT_DIR [--seed 0] [--costly]    # write it to a folder

Each sample has a name (with the extension a user would give it), its bytes, and what is allowed:
``"ok"`` (a valid if unusual image: it must be analysed) or ``"any"`` (a result or the documented
``smartcrop_core.ImageError`` are both fine). Nothing else is ever allowed: no other exception type, no
hang, no crash.
"""

from __future__ import annotations

import argparse
import io
import itertools
import random
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image

FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp", "TIFF": ".tif", "AVIF": ".avif"}


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    expect: str  # "ok" | "any"
    kind: str  # the class of input, for reports


def picture(width: int = 160, height: int = 120, seed: int = 0) -> Image.Image:
    """A small photo-like picture: gradients, noise and a few shapes (so compressed data is non-trivial)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width] / max(width, height)
    pixels = np.stack([180 * xx + 40, 160 * yy + 50, 120 * (1 - xx) + 60], axis=-1)
    pixels += rng.normal(0, 12, pixels.shape)
    for _ in range(4):
        cx, cy, r = rng.integers(0, width), rng.integers(0, height), rng.integers(5, 30)
        pixels[((xx * max(width, height) - cx) ** 2 + (yy * max(width, height) - cy) ** 2) < r * r] = rng.integers(0, 255, 3)
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8))


def encode(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def animated(image_format: str, frames: int = 3) -> bytes:
    images = [picture(seed=i) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, image_format, save_all=True, append_images=images[1:], duration=80, loop=0)
    return buffer.getvalue()


def png_with_size(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header is rewritten to declare another size (valid CRC): a bomb's calling card."""
    raw = encode(Image.new("L", (1, 1)), "PNG")
    chunk = b"IHDR" + struct.pack(">II", width, height) + raw[24:29]
    return raw[:12] + chunk + struct.pack(">I", zlib.crc32(chunk)) + raw[33:]


def gif_with_size(width: int, height: int) -> bytes:
    raw = bytearray(encode(Image.new("P", (1, 1)), "GIF"))
    raw[6:10] = struct.pack("<HH", width, height)
    return bytes(raw)


def jpeg_with_size(width: int, height: int) -> bytes:
    raw = bytearray(encode(Image.new("RGB", (8, 8)), "JPEG"))
    marker = raw.find(b"\xff\xc0")
    raw[marker + 5 : marker + 9] = struct.pack(">HH", height, width)
    return bytes(raw)


def with_exif(orientation: int | None, raw_exif: bytes | None = None) -> bytes:
    if raw_exif is not None:
        return encode(picture(), "JPEG", exif=raw_exif)
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(picture(), "JPEG", exif=exif.tobytes())


def samples(seed: int = 0) -> Iterator[Sample]:
    """The whole corpus, in a fixed order for a given seed."""
    rng = random.Random(seed)
    base = {fmt: encode(picture(), fmt, **({"quality": 85} if fmt in ("JPEG", "WEBP", "AVIF") else {}))
            for fmt in FORMATS}
    base["GIF"] = animated("GIF")

    # Valid images of every format, and the same bytes under a wrong extension.
    for fmt, data in base.items():
        yield Sample(f"valid{FORMATS[fmt]}", data, "ok", "valid")
        for other in FORMATS.values():
            if other != FORMATS[fmt]:
                yield Sample(f"{fmt.lower()}-named{other}", data, "ok", "wrong extension")

    # Truncations at random offsets, and flipped bytes in the header and in the coded data.
    for fmt, data in base.items():
        ext = FORMATS[fmt]
        for i in range(50):
            cut = rng.randrange(1, len(data))
            yield Sample(f"truncated-{i}-at-{cut}{ext}", data[:cut], "any", "truncated")
        for i in range(50):
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                position = rng.randrange(0, min(64, len(data)))
                mutated[position] ^= 1 << rng.randrange(8)
            yield Sample(f"header-flip-{i}{ext}", bytes(mutated), "any", "flipped header bytes")
        for i in range(50):
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 16)):
                position = rng.randrange(min(64, len(data) - 1), len(data))
                mutated[position] = rng.randrange(256)
            yield Sample(f"body-flip-{i}{ext}", bytes(mutated), "any", "flipped data bytes")

    for i in range(30):
        size = rng.choice([1, 7, 100, 4096, 65536])
        yield Sample(f"random-{i}.jpg", bytes(rng.randrange(256) for _ in range(size)), "any", "random bytes")
    for i, magic in enumerate([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP", b"II*\x00"]):
        for j in range(4):
            tail = bytes(rng.randrange(256) for _ in range(rng.choice([0, 10, 1000])))
            yield Sample(f"magic-{i}-{j}.jpg", magic + tail, "any", "magic + garbage")

    for name, data in [("zero-bytes.jpg", b""), ("space.jpg", b" "), ("whitespace.png", b" \n\t\r\n  "),
                       ("newline.webp", b"\n")]:
        yield Sample(name, data, "any", "empty")
    documents = {
        "svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><circle r="40"/></svg>',
        "html": b"<!DOCTYPE html><html><head><title>x</title></head><body><img src=x onerror=alert(1)></body></html>",
        "pdf": b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF",
        "text": b"Dear user, this is a text file.\n" * 20,
        "json": b'{"image": "no"}',
        "zip": b"PK\x03\x04" + bytes(100),
    }
    for kind, data in documents.items():
        for ext in (".jpg", ".png", ".webp"):
            yield Sample(f"{kind}-named{ext}", data, "any", "document named as image")

    for width, height in [(100_000, 100_000), (65_535, 65_535), (30_000, 30_000), (1, 200_000_000 // 1)]:
        yield Sample(f"bomb-png-{width}x{height}.png", png_with_size(width, height), "any", "decompression bomb")
    for width, height in [(65_535, 65_535), (20_000, 20_000)]:
        yield Sample(f"bomb-gif-{width}x{height}.gif", gif_with_size(width, height), "any", "decompression bomb")
        yield Sample(f"bomb-jpeg-{width}x{height}.jpg", jpeg_with_size(width, height), "any", "decompression bomb")

    for width, height in [(1, 1), (1, 50_000), (50_000, 1), (2, 3), (20_000, 10)]:
        yield Sample(f"extreme-{width}x{height}.png", encode(Image.new("RGB", (width, height), (120, 30, 30)), "PNG"), "ok", "extreme size")

    for orientation in range(1, 9):
        yield Sample(f"exif-orientation-{orientation}.jpg", with_exif(orientation), "ok", "EXIF orientation")
    for orientation in (0, 9, 255, 65535):
        yield Sample(f"exif-orientation-invalid-{orientation}.jpg", with_exif(orientation), "ok", "EXIF orientation")
    valid_exif = Image.Exif()
    valid_exif[0x0112] = 6
    exif_bytes = valid_exif.tobytes()
    for i in range(12):
        broken = bytearray(exif_bytes)
        for _ in range(3):
            broken[rng.randrange(len(broken))] = rng.randrange(256)
        yield Sample(f"exif-broken-{i}.jpg", with_exif(None, bytes(broken)), "any", "broken EXIF")

    photo = picture()
    modes = {
        "cmyk.jpg": encode(photo.convert("CMYK"), "JPEG"),
        "cmyk.tif": encode(photo.convert("CMYK"), "TIFF"),
        "16bit.png": encode(Image.fromarray(np.asarray(photo.convert("L"), dtype=np.uint16) * 257), "PNG"),
        "palette-transparent.png": encode(photo.convert("P"), "PNG", transparency=0),
        "la.png": encode(photo.convert("LA"), "PNG"),
        "rgba.webp": encode(photo.convert("RGBA"), "WEBP"),
        "1bit.png": encode(photo.convert("1"), "PNG"),
        "float.tif": encode(Image.fromarray(np.asarray(photo.convert("L"), dtype=np.float32)), "TIFF"),
    }
    for name, data in modes.items():
        yield Sample(f"mode-{name}", data, "ok", "unusual mode")

    for fmt in ("GIF", "WEBP"):
        data = animated(fmt, frames=4)
        for i in range(10):
            cut = rng.randrange(len(data) * 2 // 3, len(data))
            yield Sample(f"animated-broken-later-{i}{FORMATS[fmt]}", data[:cut], "any", "animated, broken later frame")

    for i in range(10):
        profile = bytes(rng.randrange(256) for _ in range(rng.choice([4, 128, 600])))
        yield Sample(f"icc-garbage-{i}.jpg", encode(photo, "JPEG", icc_profile=profile), "ok", "unparsable ICC profile")
        yield Sample(f"icc-garbage-{i}.png", encode(photo, "PNG", icc_profile=profile), "ok", "unparsable ICC profile")


def costly_samples() -> Iterator[Sample]:
    """The small-but-expensive files of ``reliability.hostile`` (issue 13) as corpus samples.

    Kept out of ``samples()``: each decodes up to hundreds of MB when a budget is missing, so they run
    one per process under a memory cap (``reliability.check_cost``). Only the cases called plainly
    (``analyze`` with the default budget) are included; all are "any": refused or analysed.
    """
    from .hostile import cases

    for case in cases():
        if case.call == "analyze" and not case.options:
            yield Sample(case.name, case.make(), "any", f"costly: {case.kind}")


def write(folder: Path, seed: int = 0, costly: bool = False) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    chosen = itertools.chain(samples(seed), costly_samples() if costly else ())
    for count, sample in enumerate(chosen, start=1):
        (folder / sample.name).write_bytes(sample.data)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the fuzz corpus to a folder.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--costly", action="store_true", help="also the costly files of reliability.hostile")
    args = parser.parse_args()
    print(f"wrote {write(args.out, args.seed, args.costly)} files to {args.out}")


if __name__ == "__main__":
    main()
