"""Make one Thumbor request crop smartcrop's exact box, by wrapping two methods of its Transformer.

Thumbor 7.8 has no filter phase between "the image is upright, trimmed and analysed" and "the window
is cut": AFTER_LOAD filters run before ``reorientate()`` and trim, POST_TRANSFORM filters after the crop.
Setting ``request.crop`` from an AFTER_LOAD filter would put the box in the wrong coordinates whenever
RESPECT_ORIENTATION rotates, trim shifts or MAX_WIDTH shrinks the image (``normalize_crops`` rescales
manual crops). So the filter wraps, on this request's own Transformer object only (it is created per
request, just before AFTER_LOAD filters run; nothing global is patched):
- ``smart_detect`` (awaited after reorientation and trim, with or without ``/smart/``): Thumbor's own
  detection runs first, unchanged; then the analysis of the pixels as they are now (shared with our
  detector, cached per image) is awaited in the plugin's thread pool; nothing is written to detector
  storage;
- ``auto_crop`` (called after the target size is known): cuts ``analysis.box(target ratio)``, which is
  microseconds of numpy, instead of centring a window on the focal points' centroid.
When the request has a manual crop (``/10x10:200x200/``), when the analysis failed or the target ratio
is out of range, Thumbor's own ``auto_crop`` runs: the request is still served.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from typing import Any, Callable

from smartcrop_core import Analysis, CropOptions, SmartCropError
from smartcrop_core.visualize import overlay

from .config import Settings
from .pixels import engine_image, unwrap
from .runner import ModelUnavailable, analysis_for

logger = logging.getLogger("thumbor_plugin")

_MARK = "_smartcrop_hook"


def install(context: Any, settings: Settings, closeness: float | None = None, debug: bool = False) -> None:
    """Wrap this request's transformer (once; a later call only adds ``closeness`` or ``debug``)."""
    transformer = context.transformer
    hook: _Hook | None = getattr(transformer, _MARK, None)
    if hook is None:
        hook = _Hook(context, settings)
        setattr(transformer, _MARK, hook)
        hook.wrap(transformer)
    if closeness is not None:
        hook.options = replace(settings.options, closeness=closeness)
        hook.exact = True
    hook.debug = hook.debug or debug


class _Hook:
    """The per-request state: the analysis once computed, and what the filters asked for."""

    def __init__(self, context: Any, settings: Settings) -> None:
        self.context = context
        self.settings = settings
        self.options: CropOptions = settings.options
        self.exact = False  # crop smartcrop's box (filters:smartcrop)
        self.debug = False  # draw the heat map and boxes (filters:smartcrop_debug)
        self.analysis: Analysis | None = None

    def wrap(self, transformer: Any) -> None:
        original_detect: Callable[[], Any] = transformer.smart_detect
        original_auto_crop: Callable[[], None] = transformer.auto_crop

        async def smart_detect() -> None:
            await original_detect()
            await self.analyse(transformer)

        def auto_crop() -> None:
            if not (self.exact and self.crop(transformer)):
                original_auto_crop()

        transformer.smart_detect = smart_detect
        transformer.auto_crop = auto_crop

    async def analyse(self, transformer: Any) -> None:
        request, config = self.context.request, self.context.config
        if request.engine.extension == ".gif" and config.USE_GIFSICLE_ENGINE:
            return  # gifsicle holds no pixels; Thumbor skips detection for it too
        try:
            self.analysis = await analysis_for(self.context, transformer.engine, self.settings)
        except SmartCropError as error:
            if not isinstance(error, ModelUnavailable):  # that one was logged once, not per request
                logger.error("smartcrop filter skipped %s: %s", self.context.request.image_url, error)
            self.context.request.prevent_result_storage = True
            return
        if self.debug:
            self.draw(transformer)

    def crop(self, transformer: Any) -> bool:
        """Cut smartcrop's box for the target ratio; False when Thumbor's own auto_crop should run."""
        analysis = self.analysis
        engine = transformer.engine
        width, height = engine.size
        if analysis is None or self.context.request.should_crop or (width, height) != (analysis.width, analysis.height):
            return False
        target_width, target_height = transformer.target_width or 1, transformer.target_height or 1
        ratio = target_width / target_height
        if self.options.closeness == 0 and round(width / height, 2) == round(ratio, 2):
            return True  # the image already has the ratio: nothing to cut, like Thumbor
        try:
            box = analysis.box(_ratio_key(target_width, target_height), self.options)
        except SmartCropError as error:  # RatioError: a 1x500 request is outside smartcrop's range
            logger.warning("smartcrop filter fell back to Thumbor's crop for %s: %s", self.context.request.image_url, error)
            return False
        engine.crop(box.left, box.top, box.right, box.bottom)
        return True

    def draw(self, transformer: Any) -> None:
        """Replace the pixels by the heat map with every configured box (and the requested one)."""
        analysis = self.analysis
        assert analysis is not None
        real = unwrap(transformer.engine)
        ratios = list(self.settings.ratios)
        request = self.context.request
        if request.width and request.height and not request.fit_in and "orig" not in (request.width, request.height):
            ratios.append(f"{int(request.width)}:{int(request.height)}")
        picture = overlay(engine_image(real), analysis, ratios)
        if hasattr(real, "image"):
            real.image = picture
        else:
            real.set_image_data(picture.tobytes())
        if hasattr(transformer.engine, "refresh_image"):
            transformer.engine.refresh_image()


def _ratio_key(width: float, height: float) -> "str | float":
    """"16:9" for a 320x180 request, so Analysis.box reuses the box it already holds for a configured
    ratio (the same number: 16/9 and 320/180 are the same double); the plain quotient otherwise."""
    if float(width).is_integer() and float(height).is_integer() and width > 0 and height > 0:
        divisor = math.gcd(int(width), int(height))
        return f"{int(width) // divisor}:{int(height) // divisor}"
    return width / height
