"""``DETECTORS = ["thumbor_plugin.detector"]``: saliency focal points for Thumbor's ``/smart/`` crops.

Thumbor runs this only when a ``/smart/`` URL's source image has no focal points in detector storage
yet; whatever it appends to ``context.request.focal_points`` is stored (per source URL) and reused
for every later size. Three Thumbor traps shape it:
- detectors are awaited on the IOLoop: the model runs in the plugin's thread pool (runner.py);
- stored weights come back through ``int()``: every weight is the integer 1 (points.py);
- a detector that appends nothing is re-run on every request: it always appends at least one point.
Errors of smartcrop hand over to the next detector in the chain, with the response kept out of result
storage, as Thumbor does with IGNORE_SMART_ERRORS: a bad image is logged in one line per request; a
missing or corrupt model once per process (runner.model_for), an invalid SMARTCROP_* setting once per
message (config.settings_or_none), so a broken deployment does not write one line per request.
"""

from __future__ import annotations

import logging

from thumbor.detectors import BaseDetector
from thumbor.point import FocalPoint

from smartcrop_core import SmartCropError

from .config import settings_or_none
from .points import focus_points
from .runner import ModelUnavailable, analysis_for

logger = logging.getLogger("thumbor_plugin")


class Detector(BaseDetector):
    """Appends smartcrop's focal points for the engine's current (normalised, oriented, trimmed) image."""

    async def detect(self) -> None:
        settings = settings_or_none(self.context.config, "smartcrop detector")  # None: logged once
        if settings is None:
            await self.skip()
            return
        try:
            analysis = await analysis_for(self.context, self.context.modules.engine, settings)
            points = focus_points(analysis, settings.ratios, settings.options)
        except ModelUnavailable:  # missing or corrupt model: logged once per process, not per request
            await self.skip()
            return
        except SmartCropError as error:  # this image: undecodable pixels, too large
            logger.error("smartcrop detector skipped %s: %s", self.context.request.image_url, error)
            await self.skip()
            return
        for focus in points:
            self.context.request.focal_points.append(
                FocalPoint(focus.x, focus.y, weight=focus.weight, origin=focus.origin)
            )

    async def skip(self) -> None:
        """No points from us: serve as Thumbor does after a detection error, and ask the next detector."""
        self.context.request.prevent_result_storage = True
        self.context.request.detection_error = True
        await self.next()
