"""Aspect ratios as users write them ("16:9", "16x9", 1.777), always width / height.

Twitter's crop code used height / width; that convention stays out of the public API.
"""

from __future__ import annotations

import math
import re
from typing import Union

from .errors import RatioError

RatioLike = Union[str, float, int]

DEFAULT_RATIOS: tuple[str, ...] = ("16:9", "1:1", "4:5", "9:16")

# Ratios outside this range are almost certainly typos (or attacks): a 1:1000 strip holds nothing.
MIN_RATIO = 1 / 100
MAX_RATIO = 100.0

_PAIR = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[:xX/]\s*(\d+(?:\.\d+)?)\s*$")


def parse_ratio(ratio: RatioLike) -> float:
    """Return width / height for "16:9", "16x9", "16/9", "1.777" or 1.777."""
    if isinstance(ratio, bool):
        raise RatioError(f"not an aspect ratio: {ratio!r}")
    if isinstance(ratio, (int, float)):
        value = float(ratio)
    elif isinstance(ratio, str):
        match = _PAIR.match(ratio)
        try:
            if match:
                value = float(match.group(1)) / float(match.group(2))
            else:
                value = float(ratio)
        except (ValueError, ZeroDivisionError):
            raise RatioError(f"not an aspect ratio: {ratio!r} (use e.g. '16:9', '16x9' or 1.777)") from None
    else:
        raise RatioError(f"not an aspect ratio: {ratio!r} (use e.g. '16:9', '16x9' or 1.777)")
    if not math.isfinite(value) or not MIN_RATIO <= value <= MAX_RATIO:
        raise RatioError(f"aspect ratio {ratio!r} is outside {MIN_RATIO:g}..{MAX_RATIO:g} (width/height)")
    return value


def ratio_label(ratio: RatioLike) -> str:
    """A stable, file-name-safe key for a ratio: "16:9" -> "16:9", "16x9" -> "16:9", 1.5 -> "1.5"."""
    if isinstance(ratio, str):
        match = _PAIR.match(ratio)
        if match:
            parse_ratio(ratio)
            return f"{_trim(match.group(1))}:{_trim(match.group(2))}"
    return f"{parse_ratio(ratio):.4g}"


def _trim(number: str) -> str:
    return number.rstrip("0").rstrip(".") if "." in number else number
