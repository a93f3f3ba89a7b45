"""remotecv worker side: ``remotecv --loader thumbor_plugin.remotecv_loader``.

remotecv 5 has a fixed table of detection types (all, face, feature, glass, profile) and no plugin
setting, but it imports whatever module ``--loader`` names. So this module is a loader that, when
imported, also registers the "smartcrop" detection type in the table every task uses
(``DetectTask.processor``, shared by the pyres and celery backends); loading itself is delegated to
the module named by $SMARTCROP_REMOTECV_LOADER (default ``remotecv.http_loader``).

The worker analyses the upright original image (smartcrop applies EXIF orientation) and returns
smartcrop's focal points (points.py), the first one carrying the compact analysis; with
``--store thumbor_plugin.remotecv_store`` that analysis is stored with them (stored.py), and Thumbor's
queued detector cuts the exact box of every requested ratio from it, scaled to Thumbor's pixels when
MAX_WIDTH/MAX_HEIGHT shrank them. The coordinates match Thumbor's when RESPECT_ORIENTATION is on and
the URL has no trim. Worker settings come from the environment: SMARTCROP_MODEL, SMARTCROP_THREADS
and SMARTCROP_RATIOS (comma-separated, the same list as in thumbor.conf).
"""

from __future__ import annotations

import logging
import os
from importlib import import_module
from typing import Any

from remotecv.pyres_tasks import DetectTask

import smartcrop_core
from smartcrop_core import DEFAULT_RATIOS, SmartCropError

from . import stored
from .points import focus_points

logger = logging.getLogger("thumbor_plugin")

DETECTION_TYPE = "smartcrop"
_delegate = import_module(os.environ.get("SMARTCROP_REMOTECV_LOADER") or "remotecv.http_loader")


def load_sync(path: str) -> Any:
    """remotecv's loader entry point: the image bytes, from the configured underlying loader."""
    return _delegate.load_sync(path)


def ratios_from_env() -> tuple[str, ...]:
    value = os.environ.get("SMARTCROP_RATIOS", "")
    return tuple(r.strip() for r in value.split(",") if r.strip()) or DEFAULT_RATIOS


class SmartCropRemoteDetector:
    """A remotecv detector: returns [left, top, width, height] boxes, one 1x1 box per focal point.

    remotecv stores each box as x = left + width / 2 and z = width * height, so a 1x1 box at the
    point comes back to Thumbor as exactly our integer point with weight 1. The first box has a fifth
    element, the analysis for remotecv_store (remotecv's own store ignores it).
    """

    def detect(self, image: Any) -> list[list[Any]]:
        ratios = ratios_from_env()
        try:
            analysis = smartcrop_core.analyze(image, ratios)
        except SmartCropError as error:
            logger.error("smartcrop remote detection failed: %s", error)
            return []
        boxes: list[list[Any]] = [[focus.x, focus.y, 1, 1] for focus in focus_points(analysis, ratios)]
        boxes[0].append(stored.payload(analysis, stored.SOURCE_REMOTECV))
        return boxes


def register() -> None:
    """Add the "smartcrop" detection type to remotecv's detector table (idempotent)."""
    DetectTask.processor.detectors[DETECTION_TYPE] = SmartCropRemoteDetector()


register()
