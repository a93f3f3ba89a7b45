"""Image loading that mirrors the engine's preprocessing exactly, so train and run time agree.

The engine opens with Pillow, uses JPEG ``draft``, EXIF-transposes, converts to RGB and resizes with
``Image.BILINEAR`` and ``reducing_gap=3.0`` to a size whose long side is ``input_long_side`` and whose
short side is rounded to a multiple of 32 (the network's total stride).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}


def model_input_size(width: int, height: int, long_side: int) -> tuple[int, int]:
    """(w, h) the model sees for an image of ``width`` x ``height``; 800x600 -> 256x192 at 256."""
    if width >= height:
        short = max(32, round(long_side * height / width / 32) * 32)
        return long_side, short
    short = max(32, round(long_side * width / height / 32) * 32)
    return short, long_side


def load_model_input(path: str | Path, long_side: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Load ``path`` as the engine does: returns (uint8 HxWx3 RGB at model size, oriented (w, h))."""
    with Image.open(path) as img:
        orientation = img.getexif().get(0x0112, 1)
        raw_w, raw_h = img.size
        ow, oh = (raw_h, raw_w) if orientation in _SWAPPING_ORIENTATIONS else (raw_w, raw_h)
        w, h = model_input_size(ow, oh, long_side)
        if img.format == "JPEG":
            draft = (h, w) if orientation in _SWAPPING_ORIENTATIONS else (w, h)
            img.draft("RGB", draft)
        img = ImageOps.exif_transpose(img)
        img = img.convert("RGB")
        img = img.resize((w, h), Image.BILINEAR, reducing_gap=3.0)
        return np.asarray(img, dtype=np.uint8), (ow, oh)


def load_map(path: str | Path, size: tuple[int, int]) -> np.ndarray:
    """Load an 8-bit teacher map resized (bilinear) to ``size`` = (w, h), as uint8."""
    with Image.open(path) as img:
        img = img.convert("L").resize(size, Image.BILINEAR, reducing_gap=3.0)
        return np.asarray(img, dtype=np.uint8)
