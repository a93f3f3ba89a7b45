"""Test images made with Pillow on the fly (nothing binary is committed)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def scene(width: int = 480, height: int = 320, spot: tuple[float, float] = (0.8, 0.5)) -> Image.Image:
    """Textured grey with one bright red disc at ``spot`` (normalised): an obvious salient target."""
    rng = np.random.default_rng(0)
    pixels = rng.normal(120, 8, (height, width, 3)).clip(0, 255)
    yy, xx = np.mgrid[0:height, 0:width]
    disc = (xx - spot[0] * width) ** 2 + (yy - spot[1] * height) ** 2 <= (0.12 * min(width, height)) ** 2
    pixels[disc] = (230, 20, 30)
    return Image.fromarray(pixels.astype(np.uint8))


def jpeg(image: Image.Image | None = None, **options: object) -> bytes:
    buffer = io.BytesIO()
    (image or scene()).save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def rotated_jpeg(upright: Image.Image) -> bytes:
    """A JPEG stored rotated whose EXIF orientation (6) makes it ``upright`` again."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return jpeg(upright.transpose(Image.Transpose.ROTATE_90), exif=exif.tobytes())


def giant_png() -> bytes:
    """A 1-bit PNG declaring ~96 MP: over the default pixel limit, yet tiny on disk."""
    return png(Image.new("1", (12000, 8000)))


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size
