"""Which decoder may touch a file, and what its header promises, before anything is decoded.

Why not plain ``Image.open``: it tries every plugin Pillow has (ICO and ICNS decode their embedded
image inside ``open``, before any size check), and its own bomb guard fires at twice its
``MAX_IMAGE_PIXELS`` whatever our limit is, so a ``max_pixels`` above Pillow's could never work. Here
only the allowed formats' openers run, and the pixel limit is ours alone. The checks that need the
bytes (progressive scans, an ICO's embedded PNG) read them here; none decodes a pixel.
"""

from __future__ import annotations

import re
import struct
from typing import IO

from PIL import Image, ImageFile

from .budget import DecodeBudget
from .errors import DecodeBudgetError, FormatNotAllowedError, ImageTooLargeError

#: A JPEG marker that is not byte stuffing (FF00), a fill byte (FFFF) or a restart (FFD0-FFD7):
#: restarts can come every few bytes of coded data and carry nothing, so the regex skips them in C.
_JPEG_MARKER = re.compile(rb"\xff[\x01\xc0-\xcf\xd8-\xfe]")
_SOS, _EOI = 0xDA, 0xD9
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def open_allowed(fp: IO[bytes], name: str, budget: DecodeBudget) -> ImageFile.ImageFile:
    """Open (header only) with the first allowed format whose opener accepts the file.

    Raises FormatNotAllowedError for a file another Pillow format would read, ImageError when no
    format knows it, and lets the opener's own exceptions through (the caller translates them).
    """
    Image.init()
    prefix = fp.read(16)
    allowed = [fmt for fmt in Image.ID if fmt in budget.formats]
    if "ICO" in allowed or "CUR" in allowed:
        check_icon(fp, name, budget)
    failure: Exception | None = None
    for fmt in allowed:
        factory, accept = Image.OPEN[fmt]
        if accept is not None and not _accepts(fmt, prefix):
            continue
        fp.seek(0)
        try:
            return factory(fp, getattr(fp, "name", ""))  # as Image.open: the path, or "" for bytes
        except (SyntaxError, IndexError, TypeError, struct.error) as error:  # as Image.open: not this format
            failure = failure or error
    other = next((fmt for fmt in Image.ID if fmt not in budget.formats and _accepts(fmt, prefix)), None)
    if other is not None:
        raise FormatNotAllowedError(
            f"{name} is in {other} format, which is not allowed (allowed: {', '.join(sorted(budget.formats))};"
            f" opt in with SMARTCROP_FORMATS=default,{other} or DecodeBudget(formats=...))"
        )
    raise Image.UnidentifiedImageError(str(failure) if failure else "unknown format")


def _accepts(fmt: str, prefix: bytes) -> bool:
    """Whether the format's magic-number check claims the prefix (a string answer is a warning: no)."""
    accept = Image.OPEN[fmt][1]
    try:
        answer = accept(prefix) if accept is not None else False
    except Exception:  # an accept function that cannot judge a short prefix does not claim it
        return False
    return bool(answer) and not isinstance(answer, str)


def check_icon(fp: IO[bytes], name: str, budget: DecodeBudget) -> None:
    """Refuse an ICO/CUR whose entries hold a PNG over the pixel limit (Pillow decodes it in open)."""
    fp.seek(0)
    head = fp.read(6)
    if len(head) < 6 or head[:4] not in (b"\x00\x00\x01\x00", b"\x00\x00\x02\x00"):
        return
    (count,) = struct.unpack("<H", head[4:6])
    entries = fp.read(16 * count)
    for index in range(len(entries) // 16):
        offset = struct.unpack("<I", entries[16 * index + 12 : 16 * index + 16])[0]
        fp.seek(offset)
        start = fp.read(24)
        if start[:8] == _PNG_MAGIC and len(start) == 24:
            width, height = struct.unpack(">II", start[16:24])
            check_size(width, height, name, budget)


def check_size(width: int, height: int, name: str, budget: DecodeBudget) -> None:
    """The declared size against the side and pixel limits."""
    if max(width, height) > budget.max_side:
        raise DecodeBudgetError(
            f"{name} is {width}x{height}, a side over the limit of {budget.max_side} px (raise SMARTCROP_MAX_SIDE)"
        )
    if width * height > budget.max_pixels:
        raise ImageTooLargeError(
            f"{name} is {width}x{height} ({width * height / 1e6:.0f} MP), over the limit of "
            f"{budget.max_pixels / 1e6:.1f} MP (raise max_pixels or SMARTCROP_MAX_PIXELS)"
        )


def check_raw_bytes(image: Image.Image, name: str, budget: DecodeBudget) -> None:
    """Bytes the decoder must produce (16-bit and float samples count double or more; formats that
    Pillow decodes through an intermediate full-size buffer count once per copy)."""
    width, height = image.size
    bits = raw_bits_per_pixel(image)
    needed = width * height * bits // 8 * _DECODE_COPIES.get(image.format or "", 1)
    if needed > budget.byte_limit:
        raise DecodeBudgetError(
            f"{name} is {width}x{height} {image.format} with {bits}-bit pixels, {needed / 1e6:.0f} MB to decode, "
            f"over the limit of {budget.byte_limit / 1e6:.0f} MB (raise SMARTCROP_MAX_BYTES)"
        )


#: Full-size copies Pillow holds while decoding: WebP and AVIF are decoded by their library into a
#: buffer of 4 bytes a pixel, which is then copied into the image (a 89 MP WebP: 1.4 GB peak).
_DECODE_COPIES = {"WEBP": 3, "AVIF": 3, "HEIF": 3}


_BANDS = {"1": 1, "L": 1, "P": 1, "I": 1, "F": 1, "LA": 2, "PA": 2, "La": 2, "RGB": 3, "YCbCr": 3,
          "LAB": 3, "HSV": 3, "BGR": 3, "RGBA": 4, "RGBa": 4, "RGBX": 4, "CMYK": 4, "YCCA": 4, "BGRA": 4}


def raw_bits_per_pixel(image: Image.Image) -> int:
    """Bits per pixel the decoder reads, from its raw mode: ``"RGBA;16B"`` 64, ``"F;32F"`` 32, ``"L"`` 8.

    Multi-band raw modes with packed pixels (``"BGR;15"``) are overestimated, never under.
    """
    base, _, suffix = _rawmode(image).partition(";")
    digits = re.match(r"\d+", suffix)
    if base in ("I", "F"):
        return int(digits.group()) if digits else 32
    if base == "1":
        return 1
    return _BANDS.get(base, 4) * (int(digits.group()) if digits else 8)


def _rawmode(image: Image.Image) -> str:
    """The first tile's raw mode (PNG: the tile's args; TIFF, JPEG: their first item), else the mode."""
    tile = getattr(image, "tile", None)
    args = tile[0].args if tile else None
    if isinstance(args, tuple) and args:
        args = args[0]
    return args if isinstance(args, str) else image.mode


def count_jpeg_scans(data: "bytes | memoryview") -> int:
    """SOS markers of the first image in a JPEG (an MPO's later pictures are not decoded), without decoding.

    Header segments are skipped by their lengths, so a JPEG thumbnail inside EXIF is not counted; in
    coded data every real marker is unambiguous (the encoder stuffs FF bytes).
    """
    position, scans = 2, 0
    while True:
        found = _JPEG_MARKER.search(data, position)
        if found is None:
            return scans
        code = data[found.start() + 1]
        position = found.end()
        if code == _EOI:
            return scans
        if code in (0x01, 0xD8):  # no length field
            continue
        if code == _SOS:
            scans += 1
        position += int.from_bytes(data[position : position + 2], "big")


def check_jpeg_scans(data: "bytes | memoryview", name: str, budget: DecodeBudget) -> None:
    scans = count_jpeg_scans(data)
    if scans > budget.max_scans:
        raise DecodeBudgetError(
            f"{name} is a JPEG with {scans} scans, over the limit of {budget.max_scans} (raise SMARTCROP_MAX_SCANS)"
        )


def jpeg2000_levels(data: "bytes | memoryview") -> int:
    """Wavelet decomposition levels in a JPEG 2000 codestream's COD marker: how far it can be reduced."""
    cod = bytes(data[:65536]).find(b"\xff\x52")
    return data[cod + 9] if cod >= 0 and cod + 9 < len(data) else 0
