"""``DETECTORS = ["thumbor_plugin.detector"]``: smartcrop's exact box for every ``/smart/`` crop.

Thumbor calls detectors only while its detector storage has nothing under the source URL, and then
crops around the centroid of the points they append: one compromise window per image, whatever the
requested ratio. This detector therefore appends no points of its own (so Thumbor's key stays empty
and it is called on every ``/smart/`` request) and instead:
1. reads smartcrop's own detector-storage entry for the image (stored.py: the compact analysis);
2. only when there is none (or it belongs to other pixels), runs the model in the plugin's thread pool
   (runner.py: never on the IOLoop) and stores the entry, so every later size of the image, in any
   Thumbor process, costs one storage read and microseconds of numpy;
3. has this request's transformer cut ``analysis.box(requested ratio)`` (crop_hook.py), which also
   adds smartcrop's focal points for /meta/ and for Thumbor's centroid crop where the box cannot be cut.
When this Thumbor's internals lack what the hook wraps, the points are appended the classic way
(Thumbor stores them and crops on their centroid). Errors of smartcrop hand over to the next detector
in the chain, with the response kept out of result storage, as Thumbor does with IGNORE_SMART_ERRORS:
a bad image is logged in one line per request; a missing or corrupt model once per process
(model_guard.model_for), an invalid SMARTCROP_* setting once per message (config.settings_or_none).
"""

from __future__ import annotations

import logging
from typing import Any

from thumbor.detectors import BaseDetector

from smartcrop_core import Analysis, SmartCropError

from . import crop_hook, stored
from .config import Settings, settings_or_none
from .log_once import log_once
from .pixels import unwrap
from .model_guard import ModelUnavailable
from .runner import analysis_for

logger = logging.getLogger("thumbor_plugin")

#: /meta/ origin of an analysis made by this request.
ORIGIN_DETECTED = "detected now"


class Detector(BaseDetector):
    """Has smartcrop's box cut for the engine's current (normalised, oriented, trimmed) image."""

    async def detect(self) -> None:
        settings = settings_or_none(self.context.config, "smartcrop detector")  # None: logged once
        if settings is None:
            await self.skip()
            return
        size = tuple(unwrap(self.context.request.engine).size)
        entry = await stored.read(self.context)
        analysis = stored.fitted(entry.analysis, size, settings.options) if entry and entry.analysis else None
        origin = f"detector storage ({entry.source})" if entry and analysis else ORIGIN_DETECTED
        if analysis is None:
            try:
                analysis = await analysis_for(self.context, self.context.request.engine, settings)
            except ModelUnavailable:  # missing or corrupt model: logged once per process, not per request
                await self.skip()
                return
            except SmartCropError as error:  # this image: undecodable pixels, too large
                logger.error("smartcrop detector skipped %s: %s", self.context.request.image_url, error)
                await self.skip()
                return
            await stored.write(self.context, analysis, settings.ratios, settings.options)
        crop_with(self.context, settings, analysis, origin)

    async def skip(self) -> None:
        """No points from us: serve as Thumbor does after a detection error, and ask the next detector."""
        self.context.request.prevent_result_storage = True
        self.context.request.detection_error = True
        await self.next()


def crop_with(context: Any, settings: Settings, analysis: Analysis, origin: str) -> None:
    """Have the exact box cut; where the hook cannot be installed, append the points Thumbor stores."""
    if crop_hook.install(context, settings, analysis=analysis, origin=origin):
        return
    log_once(logger, "no crop hook", logging.WARNING,  # the same for every request
             f"smartcrop: this Thumbor's Transformer lacks {'/'.join(crop_hook.WRAPPED)}; /smart/ crops fall "
             "back to the centroid of smartcrop's focal points")
    context.request.focal_points.extend(crop_hook.focal_points(analysis, settings))
