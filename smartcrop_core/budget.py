"""The decode budget: how much an input may cost, checked from its header before any pixel is decoded.

A file's size says little about its decode cost: a 414 KB progressive JPEG can hold 500 scans of a
89 MP image (38 s), a 174 KB PNG can be 89 M rows of one pixel, an ICO can hide a 179 MP PNG. So the
limits are on what the decoder will have to do, read from the header: the formats it may use at all,
the declared pixels and sides, the bytes of raw samples it must produce, the progressive scans.

Every limit can be set per call (``max_pixels=`` takes an int or a whole ``DecodeBudget``) or by
environment variable (see ``DecodeBudget.from_env``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from .errors import DecodeBudgetError, FormatNotAllowedError

__all__ = ["DEFAULT_FORMATS", "DEFAULT_MAX_PIXELS", "DecodeBudget", "DecodeBudgetError", "FormatNotAllowedError",
           "budget_for", "parse_formats"]

#: Same default as Pillow's own bomb guard.
DEFAULT_MAX_PIXELS = 89_478_485
#: Formats decoded by default. MPO (camera multi-picture JPEG) is opened by Pillow's JPEG reader and
#: counts as JPEG. HEIF needs a Pillow plugin (pillow-heif); it is allowed when one is installed.
DEFAULT_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF", "AVIF", "HEIF", "TIFF", "BMP"})
#: A libjpeg progressive JPEG has 10 scans, mozjpeg's up to ~20. Every scan is a pass over all
#: coefficients of the full-size image, whatever size it is decoded at.
DEFAULT_MAX_SCANS = 32
#: JPEG, GIF and WebP cannot be larger; a PNG 1 x 89 M costs 89 M row decodes for one pixel column.
DEFAULT_MAX_SIDE = 65_535
#: Raw sample bytes per allowed pixel: 4 lets RGBA or float32 through at the pixel limit, and a
#: 16-bit RGBA image (8 bytes a pixel) up to half the pixel limit.
DEFAULT_BYTES_PER_PIXEL = 4


@dataclass(frozen=True)
class DecodeBudget:
    """Limits on one decode. ``max_bytes`` defaults to ``DEFAULT_BYTES_PER_PIXEL * max_pixels``."""

    max_pixels: int = DEFAULT_MAX_PIXELS
    max_side: int = DEFAULT_MAX_SIDE
    max_scans: int = DEFAULT_MAX_SCANS
    max_bytes: int | None = None
    formats: frozenset[str] = DEFAULT_FORMATS

    @property
    def byte_limit(self) -> int:
        """Raw sample bytes the decoder may produce (width x height x bits per pixel / 8)."""
        return self.max_bytes if self.max_bytes is not None else DEFAULT_BYTES_PER_PIXEL * self.max_pixels

    @classmethod
    def from_env(cls) -> "DecodeBudget":
        """The budget set by SMARTCROP_MAX_PIXELS, _MAX_SIDE, _MAX_SCANS, _MAX_BYTES and SMARTCROP_FORMATS.

        SMARTCROP_FORMATS is a comma-separated list of Pillow format names; ``default`` stands for
        DEFAULT_FORMATS, so ``default,JPEG2000,ICO`` opts in two more.
        """
        numbers = {}
        for field, name in (("max_pixels", "MAX_PIXELS"), ("max_side", "MAX_SIDE"), ("max_scans", "MAX_SCANS"),
                            ("max_bytes", "MAX_BYTES")):
            text = os.environ.get(f"SMARTCROP_{name}", "").strip()
            if text:
                numbers[field] = _positive(text, f"SMARTCROP_{name}")
        formats = os.environ.get("SMARTCROP_FORMATS", "").strip()
        return cls(**numbers, **({"formats": parse_formats(formats)} if formats else {}))


def parse_formats(text: str) -> frozenset[str]:
    """``"default,JPEG2000"`` -> DEFAULT_FORMATS plus JPEG2000 (names are Pillow's, case-insensitive)."""
    names = {part.strip().upper() for part in text.split(",") if part.strip()}
    if "DEFAULT" in names:
        names = (names - {"DEFAULT"}) | DEFAULT_FORMATS
    return frozenset(names)


def budget_for(limit: "int | DecodeBudget | None" = None) -> DecodeBudget:
    """The budget in force: a DecodeBudget as given, else the environment's with ``limit`` as max_pixels."""
    if isinstance(limit, DecodeBudget):
        return limit
    budget = DecodeBudget.from_env()
    return replace(budget, max_pixels=_positive(limit, "max_pixels")) if limit is not None else budget


def _positive(value: object, name: str) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return number
