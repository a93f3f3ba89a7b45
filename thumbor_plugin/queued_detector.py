"""``DETECTORS = ["thumbor_plugin.queued_detector"]``: smartcrop detection on remotecv workers.

Thumbor's own queued detection, with smartcrop on the worker side and the exact box on Thumbor's:
- while smartcrop's detector-storage entry for the image (stored.py) is missing, this enqueues
  ``remotecv.pyres_tasks.DetectTask("smartcrop", image_url)`` in Redis under that entry's key (one job
  per image: remotecv's unique queue) and serves the request with Thumbor's own crop, kept out of
  result storage (MAX_AGE_TEMP_IMAGE), as Thumbor's QueuedDetector does;
- a worker started with ``--loader thumbor_plugin.remotecv_loader --store thumbor_plugin.remotecv_store``
  runs the model on the original image and writes the entry (points plus the compact analysis) where
  Thumbor's Redis storage (tc_redis) reads it;
- from then on every ``/smart/`` size of the image gets the exact box cut from that analysis, scaled
  to Thumbor's pixels (MAX_WIDTH), with no model on the Thumbor machine. An entry with points only (a
  worker without our store) gives Thumbor's centroid crop on them; an analysis of other pixels (trim,
  RESPECT_ORIENTATION off with a rotated photo) gives Thumbor's plain crop. Both are logged once.
Needs ``remotecv`` and ``redis`` on the Thumbor machine (Thumbor's queued detector imports them); see
docs/thumbor.md.
"""

from __future__ import annotations

import logging

from redis import RedisError
from remotecv.unique_queue import UniqueQueue
from thumbor.detectors.queued_detector import QueuedDetector
from thumbor.point import FocalPoint

from . import stored
from .config import settings_or_none
from .detector import crop_with
from .log_once import log_once
from .pixels import unwrap

logger = logging.getLogger("thumbor_plugin")

#: The detection type the worker-side loader module registers in remotecv.
DETECTION_TYPE = "smartcrop"


class Detector(QueuedDetector):
    detection_type = DETECTION_TYPE

    async def detect(self) -> list:
        settings = settings_or_none(self.context.config, "smartcrop queued detector")
        entry = await stored.read(self.context) if settings is not None else None
        if settings is None or entry is None:
            self.enqueue()
            return []
        size = tuple(unwrap(self.context.request.engine).size)
        analysis = stored.fitted(entry.analysis, size, settings.options) if entry.analysis else None
        if analysis is not None:
            crop_with(self.context, settings, analysis, f"detector storage ({entry.source})")
        elif entry.analysis is None:
            log_once(logger, "remotecv: no analysis", logging.WARNING,
                     "smartcrop: a remotecv entry holds points only; start the workers with --store "
                     "thumbor_plugin.remotecv_store for exact boxes (Thumbor crops on the points)")
            self.context.request.focal_points.extend(FocalPoint.from_dict(point) for point in entry.points)
        else:
            log_once(logger, "remotecv: other pixels", logging.WARNING,
                     f"smartcrop: the worker analysed {entry.analysis.width}x{entry.analysis.height} but Thumbor "
                     f"crops {size[0]}x{size[1]} of another shape (trim? RESPECT_ORIENTATION off?): Thumbor's "
                     "own crop is served")
        return []

    def enqueue(self) -> None:
        """Thumbor's QueuedDetector.detect, with our entry's key as the job's (and so the result's) key."""
        self.context.request.prevent_result_storage = True
        try:
            if not QueuedDetector.queue:
                QueuedDetector.queue = UniqueQueue(server=self.redis_client())
            QueuedDetector.queue.enqueue_unique_from_string(
                "remotecv.pyres_tasks.DetectTask", "Detect",
                args=[self.detection_type, self.context.request.image_url], key=stored.key(self.context.request),
            )
        except RedisError:
            self.context.request.detection_error = True
            QueuedDetector.queue = None
            logger.exception("Redis Error")
