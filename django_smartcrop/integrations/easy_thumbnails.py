"""easy-thumbnails: ``crop="smart"`` (or ``crop="saliency"``) cuts around what people look at.

Switched on by listing ``pil_image`` in ``THUMBNAIL_SOURCE_GENERATORS`` and ``scale_and_crop`` in
``THUMBNAIL_PROCESSORS`` in place of easy-thumbnails' own (the exact lines: docs/integrations.md).

``scale_and_crop`` replaces easy-thumbnails' own: every other ``crop`` value (True, "scale", "0,0", ...)
goes to the original unchanged. The source generator (easy-thumbnails' ``pil_image`` plus a note of
the source) lets the processor reuse the analysis a ``SmartCropImageField`` stored for that file, and
keys the analysis cache by file name and content otherwise. easy-thumbnails saves each thumbnail once
(per source and options), so the model runs at most once per source, at the first thumbnail.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from easy_thumbnails import processors, source_generators
from PIL import Image

from smartcrop_core import Analysis, SmartCropError, one_line

from .cache import SOURCE_KEY, saliency_fit, source_key

logger = logging.getLogger(__name__)
SALIENCY_CROPS = ("smart", "saliency")
#: ``Image.info`` entry holding an analysis already stored for the source (a SmartCropImageField's).
STORED_ANALYSIS = "smartcrop.analysis"


def pil_image(source: Any, exif_orientation: bool = True, **options: Any) -> Image.Image | None:
    """easy-thumbnails' ``pil_image``, noting which file the pixels came from (and its stored analysis)."""
    data = source.read() if source else b""
    if not data:
        return None
    image = source_generators.pil_image(io.BytesIO(data), exif_orientation, **options)
    if image is not None:
        image.info[SOURCE_KEY] = source_key(getattr(source, "name", "") or "", data)
        stored = stored_analysis(source)
        if stored is not None:
            image.info[STORED_ANALYSIS] = stored
    return image


def stored_analysis(source: Any) -> Analysis | None:
    """The analysis a SmartCropImageField keeps for this file, when the source is one of its files.

    easy-thumbnails wraps a model's file in its own field file (same instance and field), so the
    stored state is read from the instance's own attribute.
    """
    instance, field = getattr(source, "instance", None), getattr(source, "field", None)
    if instance is None or field is None:
        return None
    state = getattr(getattr(instance, field.attname, None), "smartcrop", None)  # only SmartCropFieldFile has it
    return state.core_analysis() if state is not None else None


def scale_and_crop(im: Image.Image, size: tuple[int, int], crop: Any = False, upscale: bool = False,
                   zoom: Any = None, target: Any = None, **kwargs: Any) -> Image.Image:
    """easy-thumbnails' ``scale_and_crop``, with the window of ``crop="smart"``/``"saliency"`` by saliency."""
    target_x, target_y = (int(v) for v in size)
    if crop not in SALIENCY_CROPS or zoom or not target_x or not target_y:
        plain = "smart" if crop == "saliency" else crop
        return processors.scale_and_crop(im, size, plain, upscale, zoom, target, **kwargs)
    scale = max(target_x / im.width, target_y / im.height)
    if scale > 1 and not upscale:  # never upscaled: the target is cut at the image's own scale
        target_x, target_y = min(target_x, im.width), min(target_y, im.height)
    try:
        return saliency_fit(im, (target_x, target_y), analysis=im.info.get(STORED_ANALYSIS))
    except SmartCropError as error:  # a model that cannot run: easy-thumbnails' own smart crop
        logger.error("smartcrop: saliency crop failed, using easy-thumbnails' smart crop: %s", one_line(error))
        return processors.scale_and_crop(im, size, "smart", upscale, zoom, target, **kwargs)
