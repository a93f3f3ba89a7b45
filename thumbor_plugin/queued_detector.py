"""``DETECTORS = ["thumbor_plugin.queued_detector"]``: smartcrop detection on remotecv workers.

Thumbor's own queued detection, with our detector on the worker side: Thumbor enqueues
``remotecv.pyres_tasks.DetectTask("smartcrop", image_url)`` in Redis and serves the first request
without focal points (not result-stored, MAX_AGE_TEMP_IMAGE); a remotecv worker started with
``--loader thumbor_plugin.remotecv_loader`` (which registers the "smartcrop" detection type) runs
the model and writes the points where Thumbor's Redis storage (tc_redis) reads them, and later
``/smart/`` requests use them. Needs ``remotecv`` and ``redis`` on the Thumbor machine (Thumbor's
queued detector imports them); see docs/thumbor.md for the limits (the worker sees the original
image: keep RESPECT_ORIENTATION on, MAX_WIDTH/MAX_HEIGHT at 0 and no trim on ``/smart/`` URLs).
"""

from __future__ import annotations

from thumbor.detectors.queued_detector import QueuedDetector

#: The detection type the worker-side loader module registers in remotecv.
DETECTION_TYPE = "smartcrop"


class Detector(QueuedDetector):
    detection_type = DETECTION_TYPE
