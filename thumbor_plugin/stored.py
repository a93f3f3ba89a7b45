"""smartcrop's entry in Thumbor's detector storage: the compact analysis, beside Thumbor's focal points.

Thumbor runs the detectors of a ``/smart/`` request only when its detector storage has nothing under
the source URL (``Transformer.smart_storage_key``); whatever they append is stored there and, from
then on, only the centroid of those points reaches the crop. An exact box for every requested ratio
needs the saliency grid at request time, so smartcrop keeps its own entry under a key *beside* the
URL's (``key``) and appends no points itself: Thumbor's key stays empty, our detector is called on
every ``/smart/`` request, reads this entry (one storage read, no model) and has the box cut.

The entry has the shape of Thumbor's own detector data, a JSON list of focal point dicts (the points
of points.py, Thumbor's centroid fallback), whose first dict also holds the analysis (8-bit grid,
base64) under ``"smartcrop"``. Any JSON detector storage keeps it (file, Redis, mixed), and a
remotecv worker writes the same shape (remotecv_store.py). This module imports no Thumbor, so the
remotecv worker can use it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from smartcrop_core import Analysis, CropOptions

from .points import focus_points

logger = logging.getLogger("thumbor_plugin")

#: Version of the entry layout; an entry of another version is ignored (detected again, or fallback).
ENTRY_FORMAT = 1
#: Appended to the source URL to make our detector-storage key.
KEY_SUFFIX = "#smartcrop"
#: Where an analysis came from, as shown in /meta/ output.
SOURCE_THUMBOR = "thumbor detector"
SOURCE_REMOTECV = "remotecv worker"


def key(request: Any) -> str:
    """Our detector-storage key for this request's source image (and trim, which changes the pixels)."""
    trim = getattr(request, "trim", None)
    return f"{request.image_url}{KEY_SUFFIX}" + (f";{trim}" if trim else "")


def payload(analysis: Analysis, source: str) -> dict[str, Any]:
    """What rides on the first point: the analysis, with its boxes for the configured ratios (reused
    while the size and the options are the stored ones, so a cached request places only its own box)."""
    return {"smartcrop": {"format": ENTRY_FORMAT, "source": source, "analysis": analysis.to_dict()}}


def entry(analysis: Analysis, ratios: "tuple[str, ...]", options: CropOptions | None, source: str) -> list[dict[str, Any]]:
    """The detector-storage entry: Thumbor-shaped focal point dicts, the first carrying the analysis."""
    points = [
        {"x": f.x, "y": f.y, "z": f.weight, "width": 1, "height": 1, "origin": f.origin}
        for f in focus_points(analysis, ratios, options)
    ]
    points[0].update(payload(analysis, source))
    return points


@dataclass(frozen=True)
class Stored:
    """A decoded entry: the analysis (None when the entry holds only points) and where it came from."""

    analysis: Analysis | None
    source: str
    points: list[dict[str, Any]]


def decode(data: Any) -> Stored | None:
    """The entry read back, or None when it is not one of ours (another version, foreign data)."""
    if not isinstance(data, list) or not data or not all(isinstance(p, dict) for p in data):
        return None
    extra = data[0].get("smartcrop")
    if extra is None:  # points only: a remotecv worker started without our result store
        return Stored(None, SOURCE_REMOTECV, data)
    try:
        if extra.get("format") != ENTRY_FORMAT:
            return None
        analysis = Analysis.from_dict(extra["analysis"])
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        logger.warning("smartcrop ignored an unreadable detector-storage entry: %s", error)
        return None
    return Stored(analysis, str(extra.get("source", SOURCE_THUMBOR)), data)


def fitted(analysis: Analysis, size: "tuple[int, int]", options: CropOptions) -> Analysis | None:
    """The analysis in the coordinates of an image of ``size`` under the current options.

    The grid covers the whole image, so it serves any size of the same picture: a worker's analysis of
    the original serves Thumbor's MAX_WIDTH-reduced copy. A different aspect (trim, another orientation)
    is another picture: None.
    """
    width, height = size
    if (width, height) == (analysis.width, analysis.height) and analysis.options == options:
        return analysis
    if (width, height) != (analysis.width, analysis.height):
        if abs(width * analysis.height / analysis.width - height) > 1 or abs(height * analysis.width / analysis.height - width) > 1:
            return None
    # No stored boxes: they were placed for another size or other options; each box is placed when asked.
    return analysis.with_boxes([], options).resized(width, height)


async def read(context: Any) -> Stored | None:
    """Our entry for this request, or None (none yet, not ours, or the storage failed: logged)."""
    storage = getattr(context.modules, "storage", None)
    if storage is None:
        return None
    try:
        data = await storage.get_detector_data(key(context.request))
    except Exception as error:  # any storage backend: a failed read means "detect again", not a 500
        logger.warning("smartcrop could not read detector storage for %s: %s", context.request.image_url, error)
        return None
    return decode(data) if data is not None else None


async def write(context: Any, analysis: Analysis, ratios: "tuple[str, ...]", options: CropOptions) -> None:
    """Store the analysis for every later size of this image (a failure is logged: the crop still runs)."""
    storage = getattr(context.modules, "storage", None)
    if storage is None:
        return
    try:
        await storage.put_detector_data(key(context.request), entry(analysis, ratios, options, SOURCE_THUMBOR))
    except Exception as error:  # as in read(): storage trouble must not fail the request
        logger.warning("smartcrop could not write detector storage for %s: %s", context.request.image_url, error)
