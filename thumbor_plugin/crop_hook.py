"""Make one Thumbor request crop smartcrop's exact box, by wrapping methods of its Transformer.

Thumbor 7.8 has no extension point between "the image is upright, trimmed and analysed" and "the
window is cut": AFTER_LOAD filters run before ``reorientate()`` and trim, POST_TRANSFORM filters after
the crop, and the detectors only append focal points, of which ``auto_crop`` uses the centroid.
Setting ``request.crop`` from a filter would put the box in the wrong coordinates whenever
RESPECT_ORIENTATION rotates, trim shifts or MAX_WIDTH shrinks the image. So the detector (for every
``/smart/`` request) or a filter (``filters:smartcrop()``) wraps, on this request's own Transformer
object only (it is created per request; nothing global is patched):
- ``smart_detect`` (filters only, installed before it runs): Thumbor's detection first, unchanged,
  then the analysis of the pixels as they are now, in the plugin's thread pool;
- ``adjust_focal_points``: adds smartcrop's focal points (points.py) when no detector appended any,
  so /meta/ lists them and Thumbor's centroid crop, if it runs, lands on sensible points;
- ``auto_crop`` (called once the target size is known): cuts ``analysis.box(target ratio)``
  (microseconds of numpy) and records in /meta/ an operation ``{"type": "smartcrop", ...}`` naming
  the box, the ratio and where the analysis came from.
With a manual crop (``/10x10:200x200/``), without an analysis, for an analysis of other pixels or a
ratio out of range, Thumbor's own ``auto_crop`` runs: the request is still served. When this Thumbor
has no such methods (other internals), ``install`` says so and the caller falls back to points.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Callable

from thumbor.point import FocalPoint

from smartcrop_core import Analysis, CropOptions, SmartCropError, overlay, ratio_label

from .config import Settings
from .pixels import engine_image, unwrap
from .points import focus_points
from .model_guard import ModelUnavailable
from .runner import analysis_for

logger = logging.getLogger("thumbor_plugin")

_MARK = "_smartcrop_hook"
#: Transformer methods the hook wraps; without all of them it is not installed.
WRAPPED = ("smart_detect", "adjust_focal_points", "auto_crop")
#: Origin shown in /meta/ for an analysis computed by the filter itself.
ORIGIN_FILTER = "filter analysis"


def focal_points(analysis: Analysis, settings: Settings) -> list[FocalPoint]:
    """Thumbor focal points whose centroid crop is the fallback where the exact box cannot be cut."""
    return [FocalPoint(f.x, f.y, weight=f.weight, origin=f.origin)
            for f in focus_points(analysis, settings.ratios, settings.options)]


def install(context: Any, settings: Settings, *, closeness: float | None = None, debug: bool = False,
            analysis: Analysis | None = None, origin: str = "") -> bool:
    """Wrap this request's transformer (once) and record what the caller asks for; False when this
    Thumbor's transformer lacks the methods the hook needs (the caller then falls back).

    ``analysis`` (from the detector) makes the crop exact and adds smartcrop's focal points;
    ``closeness`` (filters:smartcrop) makes it exact with that zoom; ``debug`` draws the overlay.
    """
    transformer = getattr(context, "transformer", None)
    if transformer is None or not all(callable(getattr(transformer, name, None)) for name in WRAPPED):
        return False
    hook: _Hook | None = getattr(transformer, _MARK, None)
    if hook is None:
        hook = _Hook(context, settings)
        setattr(transformer, _MARK, hook)
        hook.wrap(transformer)
    if closeness is not None:
        hook.options = replace(settings.options, closeness=closeness)
        hook.exact = True
    if analysis is not None:
        hook.analysis, hook.origin = analysis, origin
        hook.exact = hook.add_points = True
    hook.debug = hook.debug or debug
    return True


class _Hook:
    """The per-request state: the analysis, where it came from, and what was asked for."""

    def __init__(self, context: Any, settings: Settings) -> None:
        self.context = context
        self.settings = settings
        self.options: CropOptions = settings.options
        self.exact = False  # crop smartcrop's box (/smart/ or filters:smartcrop)
        self.add_points = False  # add smartcrop's focal points when no detector did (/smart/)
        self.debug = False  # draw the heat map and boxes (filters:smartcrop_debug)
        self.analysis: Analysis | None = None
        self.origin = ""

    def wrap(self, transformer: Any) -> None:
        original_detect: Callable[[], Any] = transformer.smart_detect
        original_adjust: Callable[[], None] = transformer.adjust_focal_points
        original_auto_crop: Callable[[], None] = transformer.auto_crop

        async def smart_detect() -> None:
            await original_detect()
            if self.analysis is None:
                await self.analyse(transformer)
            if self.debug and self.analysis is not None:
                self.draw(transformer)

        def adjust_focal_points() -> None:
            if self.add_points and self.analysis is not None and not self.context.request.focal_points:
                self.context.request.focal_points.extend(focal_points(self.analysis, self.settings))
            original_adjust()

        def auto_crop() -> None:
            if not (self.exact and self.crop(transformer)):
                original_auto_crop()

        transformer.smart_detect = smart_detect
        transformer.adjust_focal_points = adjust_focal_points
        transformer.auto_crop = auto_crop

    async def analyse(self, transformer: Any) -> None:
        request, config = self.context.request, self.context.config
        if request.engine.extension == ".gif" and config.USE_GIFSICLE_ENGINE:
            return  # gifsicle holds no pixels; Thumbor skips detection for it too
        try:
            self.analysis = await analysis_for(self.context, transformer.engine, self.settings)
            self.origin = ORIGIN_FILTER
        except SmartCropError as error:
            if not isinstance(error, ModelUnavailable):  # that one was logged once, not per request
                logger.error("smartcrop filter skipped %s: %s", self.context.request.image_url, error)
            self.context.request.prevent_result_storage = True

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
            label = _ratio_key(target_width, target_height)
            box = analysis.box(label, self.options)
        except SmartCropError as error:  # RatioError: a 1x500 request is outside smartcrop's range
            logger.warning("smartcrop fell back to Thumbor's crop for %s: %s", self.context.request.image_url, error)
            return False
        operations = getattr(engine, "operations", None)  # Thumbor's JSONEngine: a /meta/ request
        if isinstance(operations, list):
            operations.append({"type": "smartcrop", "ratio": str(label), "strategy": self.options.strategy,
                               "closeness": self.options.closeness, "left": box.left, "top": box.top,
                               "right": box.right, "bottom": box.bottom, "origin": self.origin})
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
    """"16:9" for a 320x180 request (the core's label), so Analysis.box reuses the box it already holds
    for a configured ratio; the plain quotient for sides that are not whole. RatioError out of range."""
    if float(width).is_integer() and float(height).is_integer():
        return ratio_label(f"{int(width)}:{int(height)}")
    return width / height
