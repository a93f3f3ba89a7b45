"""Output sizes: a requested width or height, with the ratio, gives both sides, each within bounds."""

from __future__ import annotations

import operator

from .budget import DecodeBudget, budget_for
from .errors import RatioError
from .formats import check_size

#: Upper bound on a requested output side, so a URL or form cannot ask for a 100000-px render.
MAX_OUTPUT_SIDE = 10_000


def output_size(ratio: float, width: int | None, height: int | None) -> tuple[int, int] | None:
    """(width, height) of the output for a requested width or height, keeping the ratio exactly.

    Both sides, the requested one and the computed one, must be within 1..MAX_OUTPUT_SIDE: a ratio of
    1:100 at width 10000 would otherwise ask for a 10000 x 1,000,000 render. RatioError otherwise.
    """
    size = exact_size(ratio, width, height)
    if size is not None and max(size) > MAX_OUTPUT_SIDE:
        raise RatioError(f"a {size[0]} x {size[1]} output is too large: each side must be within 1..{MAX_OUTPUT_SIDE}")
    return size


def exact_size(ratio: float, width: int | None, height: int | None) -> tuple[int, int] | None:
    """Like ``output_size`` but the computed side is not bounded: for callers that clamp it next."""
    if width is None and height is None:
        return None
    if width is not None:
        given = checked_side("width", width)
        return given, max(1, round(given / ratio))
    given = checked_side("height", height)
    return max(1, round(given * ratio)), given


def checked_side(name: str, value: object) -> int:
    """A requested side as a whole number of pixels within 1..MAX_OUTPUT_SIDE."""
    try:
        if isinstance(value, bool):
            raise TypeError(name)
        side = int(value) if isinstance(value, str) else operator.index(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RatioError(f"{name} must be a whole number of pixels, got {value!r}"[:120]) from None
    if not 1 <= side <= MAX_OUTPUT_SIDE:
        raise RatioError(f"{name} must be within 1..{MAX_OUTPUT_SIDE}, got {side}")
    return side


def check_image_size(width: int, height: int, name: str = "the image",
                     max_pixels: "int | DecodeBudget | None" = None) -> None:
    """The decode budget's side and pixel limits for an image of this size, as loading checks a header.

    For adapters that hold decoded pixels already (Thumbor's engine): the same rule and messages as a
    file, without re-implementing them. Raises ImageTooLargeError or DecodeBudgetError.
    """
    check_size(int(width), int(height), name, budget_for(max_pixels))
