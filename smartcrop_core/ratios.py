"""Aspect ratios as users write them ("16:9", "16x9", 1.777), always width / height.

Every spelling of one value gets one canonical label ("016:09", "32:18", "16x9", Arabic-Indic digits
and 16/9 as a float are all "16:9"), because labels name stored boxes and output files: two labels
for one value would mean two identical crops on disk.

Twitter's crop code used height / width; that convention stays out of the public API.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from functools import lru_cache
from typing import Union

from .errors import RatioError

RatioLike = Union[str, float, int]

DEFAULT_RATIOS: tuple[str, ...] = ("16:9", "1:1", "4:5", "9:16")

# Ratios outside this range are almost certainly typos (or attacks): a 1:1000 strip holds nothing.
MIN_RATIO = 1 / 100
MAX_RATIO = 100.0
_MIN, _MAX = Fraction(1, 100), Fraction(100)  # exact: the float 0.01 is a hair above 1/100
#: Ratios are exact fractions with at most this denominator (a relative error below 1e-8 for any
#: other value, far under a pixel): it bounds the label's length and makes 16/9 as a float "16:9".
MAX_DENOMINATOR = 10_000
#: Longer text is not a ratio anyone writes (and would make Fraction parse huge numbers).
MAX_TEXT_LENGTH = 32

_NUMBER = r"\d+(?:\.\d+)?"
_PAIR = re.compile(rf"^({_NUMBER})[:xX/×∶]({_NUMBER})$", re.ASCII)
_SINGLE = re.compile(rf"^{_NUMBER}$", re.ASCII)
_HELP = "use e.g. '16:9', '16x9' or 1.777"


def parse_ratio(ratio: RatioLike) -> float:
    """Return width / height for "16:9", "16x9", "16/9", "1.777" or 1.777."""
    return float(_fraction(ratio))


def ratio_label(ratio: RatioLike) -> str:
    """The one canonical key for a ratio's value: "16x9", "32:18", 16/9 -> "16:9"; 1.5 -> "3:2"."""
    value = _fraction(ratio)
    return f"{value.numerator}:{value.denominator}"


def _fraction(ratio: RatioLike) -> Fraction:
    """The ratio as a reduced fraction within bounds; RatioError for anything else."""
    if isinstance(ratio, bool) or not isinstance(ratio, (str, int, float)):
        raise RatioError(f"not an aspect ratio: {_short(ratio)} ({_HELP})")
    return _checked_fraction(ratio)


@lru_cache(maxsize=4096, typed=True)  # labels are looked up per box and per crop: parse each spelling once
def _checked_fraction(ratio: RatioLike) -> Fraction:
    try:
        value = _text_fraction(ratio) if isinstance(ratio, str) else Fraction(ratio)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise RatioError(f"not an aspect ratio: {_short(ratio)} ({_HELP})") from None
    if not _MIN <= value <= _MAX:
        raise RatioError(f"aspect ratio {_short(ratio)} is outside {MIN_RATIO:g}..{MAX_RATIO:g} (width/height)")
    return value.limit_denominator(MAX_DENOMINATOR)


def _text_fraction(text: str) -> Fraction:
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(text)
    text = "".join(_ascii_digits(unicodedata.normalize("NFKC", text)).split())
    pair = _PAIR.match(text)
    if pair:
        return Fraction(pair.group(1)) / Fraction(pair.group(2))
    if _SINGLE.match(text):
        return Fraction(text)
    value = float(text)  # "1e2", "nan", "inf": nan and inf raise in Fraction()
    return Fraction(value)


def _ascii_digits(text: str) -> str:
    """Any Unicode decimal digit (Arabic-Indic, Devanagari, ...) as its ASCII digit."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _short(ratio: RatioLike) -> str:
    text = repr(ratio)
    return text if len(text) <= 40 else text[:37] + "..."
