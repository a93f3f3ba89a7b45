"""Which crop box wins for a ratio: a manual override, else the analysis' box, else a centre box.

A failed analysis still crops sensibly (the centre); an image whose size is unknown crops not at all.
The geometry (centre boxes, manual boxes made valid) is the core's; this module only orders the sources.
These functions read the stored values of a ``CropState`` and know nothing of its JSON.
"""

from __future__ import annotations

from typing import Any, Callable, Literal, Sequence

from smartcrop_core import Analysis, Box, fit_box, largest_centred_box, parse_ratio, ratio_label

BoxSource = Literal["manual", "auto", "centre"]
#: Model label used in crop names when no model was involved (centre fallback).
NO_MODEL = "none"


def winning_box(ratio: str | float, width: int | None, height: int | None, overrides: dict[str, list[int]],
                analysis: dict[str, Any] | None,
                parsed: Callable[[], Analysis | None]) -> tuple[Box, BoxSource] | None:
    """The box for a ratio and where it came from; None when the image size is unknown.

    ``analysis`` is the stored analysis dict (its boxes are used as stored); ``parsed`` gives the core
    Analysis for a ratio that was not stored (only called then: parsing costs more than a lookup).
    """
    label = ratio_label(ratio)
    if not (width and height):
        return None
    override = overrides.get(label)
    if override is not None:
        return fitted(override, ratio, width, height), "manual"
    if analysis:
        stored = (analysis.get("boxes") or {}).get(label)
        if stored is not None and len(stored) == 4:
            return Box(*map(int, stored)), "auto"
        core = parsed()
        if core is not None:
            return core.box(ratio), "auto"
    return largest_centred_box(width, height, parse_ratio(ratio)), "centre"


def fitted(values: Sequence[int] | Box, ratio: str | float, width: int, height: int) -> Box:
    """A manual box (a Box or [left, top, width, height]) made valid for its ratio and the image."""
    box = values if isinstance(values, Box) else Box(*(int(v) for v in values))
    return fit_box(box, parse_ratio(ratio), width, height)
