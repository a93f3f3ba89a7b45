"""``filters:smartcrop_debug()``: draw the saliency heat map, the top point and the crop boxes.

For tuning and for answering "why did it crop there?": the pixels are replaced, right after
reorientation and trim, by ``smartcrop_core.overlay`` with a box for every ratio in
SMARTCROP_RATIOS and for the requested size. Use it with ``fit-in`` to see the whole image, e.g.
``/unsafe/fit-in/800x800/filters:smartcrop_debug()/photo.jpg``; combined with a crop (and optionally
``filters:smartcrop()``) it shows the overlay inside the served window. Keep it out of production
URLs (sign only what you mean to serve).
"""

from __future__ import annotations

from thumbor.filters import PHASE_AFTER_LOAD, BaseFilter, filter_method

from .. import crop_hook
from ..config import settings_or_none


class Filter(BaseFilter):
    phase = PHASE_AFTER_LOAD

    @filter_method()
    async def smartcrop_debug(self) -> None:
        settings = settings_or_none(self.context.config, "filters:smartcrop_debug()")
        if settings is None:  # logged once; no overlay, and nothing kept in result storage
            self.context.request.prevent_result_storage = True
            return
        crop_hook.install(self.context, settings, debug=True)
