"""A test picture made with Pillow (nothing binary committed)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def photo_jpeg(width: int = 640, height: int = 400) -> bytes:
    """Textured background with a bright red disc off-centre."""
    rng = np.random.default_rng(1)
    pixels = rng.normal(110, 10, (height, width, 3)).clip(0, 255)
    yy, xx = np.mgrid[0:height, 0:width]
    pixels[(xx - 0.75 * width) ** 2 + (yy - 0.4 * height) ** 2 <= (0.12 * height) ** 2] = (235, 25, 30)
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
