"""``HANDLER_LISTS = BUILTIN_HANDLERS + ["thumbor_plugin.startup"]``: check smartcrop when Thumbor starts.

Thumbor has no start-up hook for detectors or filters, but it calls ``get_handlers(context)`` of every
module in HANDLER_LISTS once, with the configuration, before it serves anything. This module adds no
handler; it reads the SMARTCROP_* settings and loads the saliency model once, so a missing or corrupt
model file (or an invalid setting) is reported in the start-up log, in one line naming the file and
the setting to fix, instead of at the first image request. Thumbor still starts: images are served
with Thumbor's own crop until the model works (see model_guard.model_for), which keeps a site's pictures up
while the deployment is fixed.

With one Thumbor process (the default) the model loaded here is the one requests use, so the first
/smart/ request does not pay for loading it (a few hundred ms, partly holding the GIL, i.e. stalling
the IOLoop). With ``--processes`` > 1 Thumbor forks after this point, and an onnxruntime session
should not cross a fork: the model is then loaded as a throwaway copy, and each worker loads its own.
"""

from __future__ import annotations

import logging
from typing import Any

from .config import settings_or_none
from .model_guard import ModelUnavailable, model_for, model_settings

logger = logging.getLogger("thumbor_plugin")


def get_handlers(context: Any) -> list:
    settings = settings_or_none(context.config, "smartcrop start-up check")
    if settings is not None:
        try:
            server = getattr(context, "server", None)
            single = getattr(server, "processes", 1) == 1
            model = model_for(settings, cache=single)
        except ModelUnavailable:
            pass  # logged, in one line, by model_for
        else:
            logger.info("smartcrop is on: saliency model %s (%s)", model_settings(settings).path, model.label)
    return []
