"""Image loading for training: the engine's own preprocessing, so train and run time agree by construction.

``smartcrop_core.model_input`` opens, drafts, EXIF-transposes, flattens transparency and resizes exactly as
``analyze`` does before the model runs (long side fixed, short side rounded to a multiple of 32).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from smartcrop_core import model_input, model_input_size

__all__ = ["load_map", "load_model_input", "model_input_size"]


def load_model_input(path: str | Path, long_side: int) -> tuple[np.ndarray, tuple[int, int]]:
    """(uint8 HxWx3 RGB at model size, upright (w, h)) of ``path``, as the engine feeds the model."""
    return model_input(str(path), long_side)


def load_map(path: str | Path, size: tuple[int, int]) -> np.ndarray:
    """Load an 8-bit teacher map resized (bilinear) to ``size`` = (w, h), as uint8."""
    with Image.open(path) as img:
        img = img.convert("L").resize(size, Image.BILINEAR, reducing_gap=3.0)
        return np.asarray(img, dtype=np.uint8)
