"""``filters:smartcrop()`` / ``filters:smartcrop(closeness)``: smartcrop's box, zoomed in on request.

``/smart/`` URLs already crop smartcrop's exact box for any ratio (detector.py). The filter adds a
zoom: ``closeness`` (0..1, default SMARTCROP_CLOSENESS) shrinks the box toward the salient region; on
``/smart/`` URLs it uses the detector's (stored) analysis, without ``/smart/`` it analyses the very
pixels being cropped itself (cached per process) and never writes detector storage. How it hooks into
Thumbor is explained in crop_hook.py.
"""

from __future__ import annotations

import logging
import math

from thumbor.filters import PHASE_AFTER_LOAD, BaseFilter, filter_method

from .. import crop_hook
from ..config import settings_or_none

logger = logging.getLogger("thumbor_plugin")


class Filter(BaseFilter):
    phase = PHASE_AFTER_LOAD

    # The default must not be None: Thumbor makes an argument optional only when its default is not None.
    @filter_method(BaseFilter.DecimalNumber)
    async def smartcrop(self, closeness: float = math.nan) -> None:
        settings = settings_or_none(self.context.config, "filters:smartcrop()")
        if settings is None:  # logged once; serve Thumbor's crop, but not for result storage to keep
            self.context.request.prevent_result_storage = True
            return
        value = settings.options.closeness if math.isnan(closeness) else float(closeness)
        if not 0.0 <= value <= 1.0:
            logger.warning("filters:smartcrop(%s) ignored: closeness must be within 0..1", closeness)
            return
        crop_hook.install(self.context, settings, closeness=value)
