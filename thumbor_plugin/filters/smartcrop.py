"""``filters:smartcrop()`` / ``filters:smartcrop(closeness)``: crop exactly smartcrop's box.

Without the filter, ``/smart/`` crops centre Thumbor's window on the stored focal points, which
approximates smartcrop's box (points.py). With it, the window is the box ``smartcrop_core`` returns
for the requested output ratio, computed from the very pixels being cropped, with or without
``/smart/``. ``closeness`` (0..1, default SMARTCROP_CLOSENESS) zooms in toward the salient region.
The filter never writes detector storage; how it hooks into Thumbor is explained in crop_hook.py.
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
