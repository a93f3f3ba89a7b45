"""Wagtail: focal points from saliency, and ``smartfill-WxH``, the exact saliency box of that ratio.

    # your custom image model (Wagtail's documented way to change how images behave)
    class Photo(SaliencyFocalPointMixin, AbstractImage): ...
    WAGTAILIMAGES_IMAGE_MODEL = "photos.Photo"
    WAGTAILIMAGES_FEATURE_DETECTION_ENABLED = True     # Wagtail's switch; the mixin replaces OpenCV

Wagtail runs feature detection once, after an upload, only when the image has no focal point yet (its
``post_save`` handler), so a focal point an editor set by hand is never replaced, and every existing
``{% image photo fill-640x360 %}`` crops around what people look at. Adding ``django_smartcrop`` (or
this module's hook, loaded from ``wagtail_hooks``) registers ``smartfill-WxH``: the window of exactly
that ratio that holds the most saliency, instead of one focal rectangle for every ratio; when an
editor has moved the focal point away from the automatic one, ``smartfill`` is Wagtail's ``fill``.
Renditions vary on the file hash and the focal point, so a new file or focal point makes new ones.
"""

from __future__ import annotations

import logging
from typing import Any

from wagtail.images.image_operations import FillOperation, TransformOperation
from wagtail.images.rect import Rect

from smartcrop_core import MAX_RATIO, MIN_RATIO, Analysis, CropOptions, SmartCropError, analyze, one_line

from .cache import cached_analysis, named_key, source_key

logger = logging.getLogger(__name__)
#: The focal rectangle is the smallest window of the image's own shape holding this share of attention.
FOCAL_MASS = 0.5


def image_analysis(image: Any) -> Analysis:
    """The analysis of a Wagtail image's file, cached by its name and content hash.

    Wagtail keeps the file's SHA-1 in ``file_hash`` (``get_file_hash`` fills it once and saves it): keyed
    on it, a cached analysis costs no file read, where a page of new renditions would otherwise read and
    hash every original. An unsaved image has no hash yet: its bytes are hashed.
    """
    def read() -> bytes:
        with image.open_file() as file:
            return file.read()

    # the file's bytes, so EXIF orientation is applied, as Wagtail applies it before its operations
    if image.pk is not None and hasattr(image, "get_file_hash"):
        return cached_analysis(named_key(image.file.name, "sha1:" + image.get_file_hash()), lambda: analyze(read(), []))
    data = read()
    return cached_analysis(source_key(image.file.name, data), lambda: analyze(data, []))


def focal_rect(analysis: Analysis) -> Rect:
    """The focal rectangle Wagtail stores: where the given share of the attention falls."""
    ratio = min(max(analysis.width / analysis.height, MIN_RATIO), MAX_RATIO)
    box = analysis.box(ratio, CropOptions(closeness=1.0, min_mass=FOCAL_MASS))
    return Rect(box.left, box.top, box.right, box.bottom)


class SaliencyFocalPointMixin:
    """For a custom Wagtail image model: the suggested focal point comes from saliency, not OpenCV."""

    def get_suggested_focal_point(self) -> Rect | None:
        if self.is_svg():  # type: ignore[attr-defined]
            return None
        try:
            return focal_rect(image_analysis(self))
        except SmartCropError as error:  # a bad file or model: no focal point, as Wagtail without OpenCV
            logger.error("smartcrop: no focal point for %s: %s", self, one_line(error))
            return None


class SmartFillOperation(TransformOperation):
    """``smartfill-WxH``: crop to the saliency window of exactly W:H, then scale down (never up) to WxH."""

    vary_fields = ("file_hash", "focal_point_x", "focal_point_y", "focal_point_width", "focal_point_height")

    def construct(self, size: str, *extra: str) -> None:
        if extra:
            raise ValueError(f"Unrecognised filter spec part: {extra[0]}")
        width, height = size.split("x")
        self.width, self.height = int(width), int(height)
        if self.width < 1 or self.height < 1:
            raise ValueError(f"smartfill needs a size of at least 1x1, got {size}")

    def run(self, transform: Any, image: Any) -> Any:
        try:
            analysis = image_analysis(image)
        except SmartCropError as error:
            logger.error("smartcrop: smartfill of %s falls back to fill: %s", image, one_line(error))
            return self._fill(transform, image)
        if image.has_focal_point() and not _same_rect(image.get_focal_point(), focal_rect(analysis)):
            return self._fill(transform, image)  # an editor's focal point wins
        analysis = analysis.resized(*(int(side) for side in transform.size))
        box = analysis.box(self.width / self.height)
        transform = transform.crop(Rect(box.left, box.top, box.right, box.bottom))
        if self.width < box.width:
            transform = transform.resize((self.width, self.height))
        return transform

    def _fill(self, transform: Any, image: Any) -> Any:
        return FillOperation("fill", f"{self.width}x{self.height}").run(transform, image)


def _same_rect(first: Rect, second: Rect) -> bool:
    """Equal up to the rounding of Wagtail's stored integers."""
    return all(abs(a - b) <= 1 for a, b in zip(first.as_tuple(), second.as_tuple()))


def register_image_operations() -> list[tuple[str, type]]:
    """The ``register_image_operations`` hook's value (see ``wagtail_hooks``)."""
    return [("smartfill", SmartFillOperation)]
