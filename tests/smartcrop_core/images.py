"""Test images made on the fly with Pillow: nothing binary is committed."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def scene(width: int = 400, height: int = 300, spot: tuple[float, float] = (0.8, 0.5), radius: float = 0.1) -> Image.Image:
    """A textured grey background with one bright red disc at ``spot`` (normalised): an obvious target."""
    rng = np.random.default_rng(0)
    pixels = rng.normal(120, 8, (height, width, 3)).clip(0, 255)
    yy, xx = np.mgrid[0:height, 0:width]
    disc = (xx - spot[0] * width) ** 2 + (yy - spot[1] * height) ** 2 <= (radius * min(width, height)) ** 2
    pixels[disc] = (230, 20, 30)
    return Image.fromarray(pixels.astype(np.uint8))


def encode(image: Image.Image, image_format: str = "JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


# Orientation tag -> the transpose that turns the upright picture into the stored pixels
# (the inverse of what a viewer applies).
STORE_FOR_ORIENTATION = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def with_orientation(upright: Image.Image, orientation: int) -> bytes:
    """A JPEG whose stored pixels, once EXIF orientation is applied, show ``upright``."""
    method = STORE_FOR_ORIENTATION[orientation]
    stored = upright.transpose(method) if method is not None else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(stored, "JPEG", exif=exif.tobytes(), quality=95)
