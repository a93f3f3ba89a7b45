"""Small files that are expensive to decode: the cost part of the hostile corpus (issue 13).

Each case is under a few MB yet declares a huge or odd decode (repeated progressive scans, 16-bit or
float pixels at the pixel limit, 1 x 89 M rows, an ICO hiding a 179 MP PNG, ...). The bytes are built
here, deterministically, without ever holding the decoded pixels (PNG rows and TIFF strips are
deflated from one repeated row), so making the whole set takes a few seconds.

``reliability.check_cost`` runs each case in its own process under an address-space cap and checks the
time and memory budgets; ``reliability.corpus.costly_samples`` exposes the cases as corpus samples.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Iterator

import numpy as np
from PIL import Image

from testsupport.images import encode

#: Largest square under Pillow's (and our default) 89,478,485-pixel limit.
SIDE_AT_LIMIT = 9459
LIMIT = 89_478_485


@dataclass(frozen=True)
class CostCase:
    """One costly input and how it is called: ``call`` is "analyze" or "crop" with ``options``."""

    name: str
    kind: str
    make: Callable[[], bytes] = field(repr=False, compare=False)
    call: str = "analyze"
    options: dict = field(default_factory=dict)


# --- PNG, written chunk by chunk so that no decoded image is ever held -------------------------------

def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def deflate_zeros(total: int, block: int = 1 << 20) -> bytes:
    """zlib data of ``total`` zero bytes, fast: one fully flushed raw-deflate block, repeated.

    A full flush ends a block on a byte boundary with no reference to earlier data, so copies of it
    concatenate into a valid stream; only the Adler-32 checksum has to see every byte.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    unit = packer.compress(bytes(block)) + packer.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = last.compress(bytes(total % block)) + last.flush()
    checksum, zero_block = 1, bytes(block)
    for _ in range(total // block):
        checksum = zlib.adler32(zero_block, checksum)
    checksum = zlib.adler32(bytes(total % block), checksum)
    return b"\x78\xda" + unit * (total // block) + tail + struct.pack(">I", checksum)


def png(width: int, height: int, bit_depth: int = 8, colour_type: int = 0, extra: bytes = b"",
        palette: bytes | None = None) -> bytes:
    """A flat PNG of any declared size: every row is filter 0 and zero samples."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour_type]
    row_bytes = 1 + (width * channels * bit_depth + 7) // 8
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    plte = _chunk(b"PLTE", palette) if palette is not None else b""
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + extra + plte
            + _chunk(b"IDAT", deflate_zeros(row_bytes * height)) + _chunk(b"IEND", b""))


def ztxt_bomb() -> bytes:
    """A small PNG with a zTXt chunk that inflates to 100 MB of text."""
    text = b"Comment\x00\x00" + deflate_zeros(100 << 20)
    return png(64, 64, extra=_chunk(b"zTXt", text))


def apng_many_frames(frames: int = 3000) -> bytes:
    """An animated PNG declaring thousands of 1000 x 1000 frames (only the first is ever needed)."""
    width = height = 1000
    body = deflate_zeros((1 + width) * height)
    parts = [b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)),
             _chunk(b"acTL", struct.pack(">II", frames, 0))]
    sequence = 0
    for index in range(frames):
        parts.append(_chunk(b"fcTL", struct.pack(">IIIIIHHBB", sequence, width, height, 0, 0, 1, 10, 0, 0)))
        sequence += 1
        if index == 0:
            parts.append(_chunk(b"IDAT", body))
        else:
            parts.append(_chunk(b"fdAT", struct.pack(">I", sequence) + body))
            sequence += 1
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)


# --- TIFF: every strip points at the same deflated block, so the file stays tiny ----------------------

def tiff(width: int, height: int, bits: int, sample_format: int, samples: int = 1, rows_per_strip: int = 64) -> bytes:
    """A little-endian deflate TIFF of any size (sample_format 1 = uint, 2 = int, 3 = float)."""
    strip = zlib.compress(bytes(width * samples * bits // 8 * rows_per_strip), 9)
    strips = -(-height // rows_per_strip)
    assert strips > 1, "a single strip would have to be stored inside its IFD entry"
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, bits), (259, 3, 1, 8),
               (262, 3, 1, 2 if samples >= 3 else 1), (273, 4, strips, None), (277, 3, 1, samples),
               (278, 4, 1, rows_per_strip), (279, 4, strips, None), (284, 3, 1, 1), (339, 3, 1, sample_format)]
    ifd_offset = 8
    ifd_size = 2 + 12 * len(entries) + 4
    offsets_at = ifd_offset + ifd_size
    counts_at = offsets_at + 4 * strips
    data_at = counts_at + 4 * strips
    ifd = [struct.pack("<H", len(entries))]
    for tag, kind, count, value in entries:
        if tag == 273:
            value = offsets_at
        elif tag == 279:
            value = counts_at
        packed = struct.pack("<HHI", tag, kind, count)
        ifd.append(packed + (struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)))
    ifd.append(struct.pack("<I", 0))
    return (b"II*\x00" + struct.pack("<I", ifd_offset) + b"".join(ifd) + struct.pack("<I", data_at) * strips
            + struct.pack("<I", len(strip)) * strips + strip)


# --- JPEG --------------------------------------------------------------------------------------------

def progressive_repeated_scans(side: int = SIDE_AT_LIMIT, repeats: int = 500, truncate: bool = False) -> bytes:
    """A flat progressive JPEG whose last scan is repeated ``repeats`` times (each repeat is valid)."""
    data = encode(Image.new("L", (side, side), 128), "JPEG", progressive=True, quality=90)
    last_scan = data.rfind(b"\xff\xda")
    scan = data[last_scan:-2]
    body = data[:-2] + scan * repeats
    return body[: len(body) - len(scan) * repeats // 2] if truncate else body + b"\xff\xd9"


def many_comment_segments(count: int = 60_000) -> bytes:
    """A small JPEG preceded by tens of thousands of comment segments (header parsing cost)."""
    data = encode(Image.new("RGB", (64, 64), (120, 90, 60)), "JPEG")
    comment = b"\xff\xfe" + struct.pack(">H", 2 + 8) + b"smartcrp"
    return data[:2] + comment * count + data[2:]


def mpo(width: int = 8000, height: int = 6000) -> bytes:
    """A camera-like multi-picture JPEG (two frames): Pillow opens it as format "MPO"."""
    yy, xx = np.mgrid[0:height:8, 0:width:8]
    small = np.stack([xx * 255 // width, yy * 255 // height, (xx + yy) * 127 // (width + height)], -1)
    image = Image.fromarray(small.astype(np.uint8)).resize((width, height), Image.BILINEAR)
    return encode(image, "MPO", save_all=True, append_images=[image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)],
                   quality=90)


def baseline_jpeg_at_limit() -> bytes:
    return encode(Image.new("RGB", (SIDE_AT_LIMIT, SIDE_AT_LIMIT), (90, 120, 60)), "JPEG", quality=80)


# --- Other containers ------------------------------------------------------------------------------

def ico_hiding_png(side: int = 13_375) -> bytes:
    """An ICO whose directory says 16x16 but whose one entry is a PNG of side x side (178.9 MP, just
    under Pillow's own guard of twice its MAX_IMAGE_PIXELS, so Pillow decodes it inside Image.open)."""
    inner = png(side, side)
    return struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 16, 16, 0, 0, 1, 32, len(inner), 22) + inner


def jpeg2000_tiled(tiles: int = 36, tile: int = 256) -> bytes:
    """A real JPEG 2000 codestream of (tiles x tile)^2 pixels (9216 x 9216: 85 MP) in about 100 KB.

    One 256 x 256 tile is encoded, and its tile-part repeated with each tile's index: every tile is
    present and valid, so a full decode really decodes 85 MP.
    """
    data = encode(Image.new("RGB", (tile, tile), (90, 120, 60)), "JPEG2000", no_jp2=True, tile_size=(tile, tile))
    first_tile, end = data.find(b"\xff\x90"), data.rfind(b"\xff\xd9")
    header, part = bytearray(data[:first_tile]), data[first_tile:end]
    siz = header.find(b"\xff\x51")
    header[siz + 6 : siz + 14] = struct.pack(">II", tiles * tile, tiles * tile)
    parts = [part[:4] + struct.pack(">H", index) + part[6:] for index in range(tiles * tiles)]
    return bytes(header) + b"".join(parts) + b"\xff\xd9"


def gif_at_limit(side: int = SIDE_AT_LIMIT) -> bytes:
    return encode(Image.new("P", (side, side), 0), "GIF")


def gif_frame_larger_than_screen() -> bytes:
    """A GIF whose logical screen is 1x1 but whose first frame is 20000 x 20000."""
    data = bytearray(encode(Image.new("P", (8, 8), 0), "GIF"))
    data[6:10] = struct.pack("<HH", 1, 1)
    descriptor = data.find(b"\x2c")
    data[descriptor + 5 : descriptor + 9] = struct.pack("<HH", 20_000, 20_000)
    return bytes(data)


def bmp_rle8_at_limit(side: int = SIDE_AT_LIMIT) -> bytes:
    """An RLE8 BMP: runs of 255 pixels (Pillow decodes RLE in Python)."""
    line = b"\xff\x01" * (side // 255) + bytes([side % 255, 1]) + b"\x00\x00"
    bits = line * side + b"\x00\x01"
    palette = b"".join(bytes([i, i, i, 0]) for i in range(256))
    info = struct.pack("<IiiHHIIiiII", 40, side, side, 1, 8, 1, len(bits), 2835, 2835, 256, 0)
    offset = 14 + len(info) + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(bits), 0, 0, offset) + info + palette + bits


def webp_lossless_at_limit(side: int = SIDE_AT_LIMIT) -> bytes:
    return encode(Image.new("RGB", (side, side), (90, 120, 60)), "WEBP", lossless=True, method=0)


def cases() -> Iterator[CostCase]:
    """Every case of the issue's table, then more of each kind."""
    s = SIDE_AT_LIMIT
    repeated, one_column = progressive_repeated_scans, partial(png, 1, LIMIT)  # each shared by two cases
    float_tiff, small_rgb = partial(tiff, s, s, 32, 3), partial(png, 400, 300, 8, 2)
    yield CostCase("progressive-500-repeated-scans.jpg", "progressive JPEG", repeated)
    yield CostCase("progressive-500-repeated-scans-crop64.jpg", "progressive JPEG", repeated,
                   "crop", {"ratio": "1:1", "width": 64})
    yield CostCase("progressive-200-scans-truncated.jpg", "progressive JPEG",
                   lambda: progressive_repeated_scans(repeats=400, truncate=True))
    yield CostCase("progressive-40-scans-small.jpg", "progressive JPEG",
                   lambda: progressive_repeated_scans(side=2000, repeats=40))
    yield CostCase("progressive-32-scans-at-limit.jpg", "progressive JPEG",  # the most scans allowed
                   lambda: progressive_repeated_scans(repeats=26))
    yield CostCase("png-16bit-grey-at-limit.png", "16-bit / float", lambda: png(s, s, 16, 0))
    yield CostCase("png-16bit-rgba-at-limit.png", "16-bit / float", lambda: png(s, s, 16, 6))
    yield CostCase("png-16bit-rgba-at-the-byte-limit.png", "16-bit / float",  # 8 bytes a pixel: the largest allowed
                   lambda: png(6688, 6688, 16, 6))
    yield CostCase("png-8bit-grey-at-limit.png", "16-bit / float", lambda: png(s, s, 8, 0))
    yield CostCase("png-palette-at-limit.png", "16-bit / float", lambda: png(s, s, 8, 3, palette=bytes(3 * 256)))
    yield CostCase("tiff-float32-at-limit.tif", "16-bit / float", float_tiff)
    yield CostCase("tiff-int32-at-limit.tif", "16-bit / float", lambda: tiff(s, s, 32, 2))
    yield CostCase("tiff-16bit-at-limit.tif", "16-bit / float", lambda: tiff(s, s, 16, 1))
    yield CostCase("tiff-float32-at-limit-crop-full.tif", "16-bit / float", float_tiff,
                   "crop", {"ratio": "1:1"})
    yield CostCase("jpeg2000-9216x9216.j2k", "JPEG 2000 / MPO", jpeg2000_tiled)
    yield CostCase("jpeg2000-9216x9216-opted-in.j2k", "JPEG 2000 / MPO", jpeg2000_tiled,
                   options={"formats": "default,JPEG2000"})
    yield CostCase("jpeg2000-9216x9216-opted-in-crop-full.j2k", "JPEG 2000 / MPO", jpeg2000_tiled, "crop",
                   {"ratio": "1:1", "formats": "default,JPEG2000"})
    yield CostCase("mpo-48mp.jpg", "JPEG 2000 / MPO", mpo)
    yield CostCase("png-1x89478485.png", "extreme shape", one_column)
    yield CostCase("png-1x89478485-crop.png", "extreme shape", one_column, "crop", {"ratio": "1:1", "width": 64})
    yield CostCase("png-89478485x1.png", "extreme shape", lambda: png(LIMIT, 1))
    yield CostCase("png-2x44739242.png", "extreme shape", lambda: png(2, LIMIT // 2))
    yield CostCase("ico-hiding-179mp-png.ico", "container decoded at open", ico_hiding_png,
                   options={"max_pixels": 1_000_000})
    yield CostCase("ico-hiding-179mp-png-opted-in.ico", "container decoded at open", ico_hiding_png,
                   options={"max_pixels": 1_000_000, "formats": "default,ICO"})
    yield CostCase("gif-frame-larger-than-screen.gif", "container decoded at open", gif_frame_larger_than_screen)
    yield CostCase("crop-1x100-width-10000.png", "output size", small_rgb, "crop",
                   {"ratio": "1:100", "width": 10_000})
    yield CostCase("crop-1x50-width-10000.png", "output size", small_rgb, "crop",
                   {"ratio": "1:50", "width": 10_000})
    yield CostCase("crop-1x50-width-2000.png", "output size", small_rgb, "crop",
                   {"ratio": "1:50", "width": 2000})
    yield CostCase("jpeg-baseline-at-limit.jpg", "other formats at the limit", baseline_jpeg_at_limit)
    yield CostCase("jpeg-60000-comment-segments.jpg", "other formats at the limit", many_comment_segments)
    yield CostCase("gif-at-limit.gif", "other formats at the limit", gif_at_limit)
    yield CostCase("bmp-rle8-at-limit.bmp", "other formats at the limit", bmp_rle8_at_limit)
    yield CostCase("webp-lossless-at-limit.webp", "other formats at the limit", webp_lossless_at_limit)
    yield CostCase("png-ztxt-100mb.png", "other formats at the limit", ztxt_bomb)
    yield CostCase("apng-3000-frames.png", "other formats at the limit", apng_many_frames)
