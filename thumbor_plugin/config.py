"""Every Thumbor setting of the plugin, defined once in a "SmartCrop" group, and one typed view of them.

Thumbor reads plugin settings from thumbor.conf through ``Config.define`` at import time, so this module
is imported by the detector and by each filter; reading them through ``Settings.from_config`` keeps the
parsing and validation (ratios, closeness) in one place instead of at every use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from thumbor.config import Config

from smartcrop_core import CropOptions, DEFAULT_RATIOS, ratio_label

from .log_once import log_once

GROUP = "SmartCrop"
logger = logging.getLogger("thumbor_plugin")

Config.define(
    "SMARTCROP_MODEL_PATH",
    None,
    "Path of the ONNX saliency model. None uses $SMARTCROP_MODEL, else the model shipped with smartcrop.",
    GROUP,
)
Config.define(
    "SMARTCROP_MODEL_RETRY_SECONDS",
    60,
    "After the model failed to load (missing or corrupt file), smartcrop is skipped for this long "
    "(requests get Thumbor's own crop, the error is logged once) before it is tried again.",
    GROUP,
)
Config.define(
    "SMARTCROP_THREADS",
    1,
    "onnxruntime threads per inference. Keep 1 on a busy server: requests already run in parallel.",
    GROUP,
)
Config.define(
    "SMARTCROP_THREADPOOL_SIZE",
    2,
    "Worker threads that run saliency inference off the Tornado IOLoop (at most this many at once "
    "per Thumbor process). About the number of cores per Thumbor process.",
    GROUP,
)
Config.define(
    "SMARTCROP_THREAD_NICENESS",
    10,
    "Linux: how much lower the CPU priority (nice value) of those worker threads is than the Thumbor "
    "process, so a burst of detections cannot starve Tornado's IOLoop (and Thumbor's own threads) of CPU. "
    "0 keeps the process's priority; ignored on other systems.",
    GROUP,
)
Config.define(
    "SMARTCROP_RATIOS",
    list(DEFAULT_RATIOS),
    "Aspect ratios (width:height) whose boxes are stored with each analysis and decide smartcrop's focal "
    "points (shown in /meta/, used where Thumbor's own crop runs). Every /smart/ size gets the exact box "
    "for its own ratio, listed here or not.",
    GROUP,
)
Config.define(
    "SMARTCROP_STRATEGY",
    "mass",
    "Window placement: 'mass' (keep the most saliency), 'twitter' (centre on the top point) or 'centre'.",
    GROUP,
)
Config.define(
    "SMARTCROP_CLOSENESS",
    0.0,
    "Default closeness of filters:smartcrop() when called without an argument: 0 keeps the largest box "
    "of the ratio, 1 zooms in to the smallest box that keeps SMARTCROP_MIN_MASS of its saliency.",
    GROUP,
)
Config.define(
    "SMARTCROP_MIN_MASS",
    0.9,
    "Share of the saliency a zoomed-in box (closeness > 0) must keep, within (0, 1].",
    GROUP,
)
Config.define(
    "SMARTCROP_MAX_PIXELS",
    None,
    "Largest image (in pixels) smartcrop analyses; None uses $SMARTCROP_MAX_PIXELS, else about 89 MP.",
    GROUP,
)
Config.define(
    "SMARTCROP_CACHE_SIZE",
    256,
    "Analyses kept in memory per Thumbor process (a few kB each), keyed by image URL and size, so the "
    "smartcrop filter does not re-run the model for every size of one image. 0 disables.",
    GROUP,
)


@dataclass(frozen=True)
class Settings:
    """The plugin settings of one Thumbor config, parsed and validated."""

    model_path: str | None
    model_retry: float
    threads: int
    pool_size: int
    niceness: int
    ratios: tuple[str, ...]
    options: CropOptions
    max_pixels: int | None
    cache_size: int

    @classmethod
    def from_config(cls, config: Any) -> "Settings":
        """Read the SMARTCROP_* keys; raises ValueError (RatioError) for a bad ratio or option."""
        ratios = tuple(ratio_label(r) for r in (config.SMARTCROP_RATIOS or DEFAULT_RATIOS))
        options = CropOptions(
            strategy=config.SMARTCROP_STRATEGY,
            closeness=float(config.SMARTCROP_CLOSENESS),
            min_mass=float(config.SMARTCROP_MIN_MASS),
        )
        max_pixels = config.SMARTCROP_MAX_PIXELS
        return cls(
            model_path=config.SMARTCROP_MODEL_PATH or None,
            model_retry=max(0.0, float(config.SMARTCROP_MODEL_RETRY_SECONDS)),
            threads=max(1, int(config.SMARTCROP_THREADS)),
            pool_size=max(1, int(config.SMARTCROP_THREADPOOL_SIZE)),
            niceness=min(19, max(0, int(config.SMARTCROP_THREAD_NICENESS))),
            ratios=ratios,
            options=options,
            max_pixels=int(max_pixels) if max_pixels else None,
            cache_size=max(0, int(config.SMARTCROP_CACHE_SIZE)),
        )


def settings_or_none(config: Any, user: str) -> Settings | None:
    """The settings, or None when a SMARTCROP_* value is invalid (the request goes on without smartcrop).

    The error is logged once per process and message, not on every request of a misconfigured server.
    """
    try:
        return Settings.from_config(config)
    except (ValueError, TypeError) as error:
        message = f"smartcrop is off: invalid SMARTCROP_* setting in thumbor.conf: {error}"
        if not log_once(logger, message, logging.ERROR, message):
            logger.debug("%s skipped: %s", user, message)
        return None
