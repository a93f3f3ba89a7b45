"""remotecv worker side: ``remotecv --loader thumbor_plugin.remotecv_loader``.

remotecv 5 has a fixed table of detection types (all, face, feature, glass, profile) and no plugin
setting, but it imports whatever module ``--loader`` names. So this module is a loader that, when
imported, also registers the "smartcrop" detection type in the table every task uses
(``DetectTask.processor``, shared by the pyres and celery backends); loading itself is delegated to
the module named by $SMARTCROP_REMOTECV_LOADER (default ``remotecv.http_loader``).

The worker computes the same focal points as ``thumbor_plugin.detector`` (points.py), for the
upright original image (smartcrop applies EXIF orientation): these are the coordinates Thumbor uses
when RESPECT_ORIENTATION is on and MAX_WIDTH/MAX_HEIGHT are 0 and there is no trim. Worker settings
come from the environment: SMARTCROP_MODEL, SMARTCROP_THREADS and SMARTCROP_RATIOS (comma-separated,
the same list as in thumbor.conf).
"""

from __future__ import annotations

import logging
import os
from importlib import import_module
from typing import Any

from remotecv.pyres_tasks import DetectTask

import smartcrop_core
from smartcrop_core import DEFAULT_RATIOS, SmartCropError

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
    point comes back to Thumbor as exactly our integer point with weight 1.
    """

    def detect(self, image: Any) -> list[list[int]]:
        ratios = ratios_from_env()
        try:
            analysis = smartcrop_core.analyze(image, ratios)
        except SmartCropError as error:
            logger.error("smartcrop remote detection failed: %s", error)
            return []
        return [[focus.x, focus.y, 1, 1] for focus in focus_points(analysis, ratios)]


def register() -> None:
    """Add the "smartcrop" detection type to remotecv's detector table (idempotent)."""
    DetectTask.processor.detectors[DETECTION_TYPE] = SmartCropRemoteDetector()


register()
