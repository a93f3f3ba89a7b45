"""sorl-thumbnail: an engine whose ``crop="smart"`` cuts around what people look at.

    THUMBNAIL_ENGINE = "django_smartcrop.integrations.sorl.Engine"

It is sorl's PIL engine with one method replaced (``_entropy_crop``, what ``crop="smart"`` calls after
scaling); every other crop, format and option is sorl's own. ``get_image`` notes the source's name and
content hash, so the analysis is cached per source like sorl's own dimension cache, and sorl stores
each thumbnail once (its key-value store), so the model runs at most once per source.
"""

from __future__ import annotations

import logging
from io import BytesIO
from typing import Any

from PIL import Image
from sorl.thumbnail.engines.pil_engine import Engine as PilEngine

from smartcrop_core import SmartCropError, one_line

from .cache import SOURCE_KEY, saliency_fit, source_key

logger = logging.getLogger(__name__)


class Engine(PilEngine):
    """sorl's PIL engine with ``crop="smart"`` placed by saliency."""

    def get_image(self, source: Any) -> Image.Image:
        data = source.read()
        image = Image.open(BytesIO(data))
        image.info[SOURCE_KEY] = source_key(getattr(source, "name", "") or "", data)
        return image

    def _entropy_crop(self, image: Image.Image, geometry_width: int, geometry_height: int,
                      image_width: int, image_height: int) -> Image.Image:
        ratio = geometry_width / geometry_height
        size = (max(min(image_width, round(image_height * ratio)), 1),
                max(min(image_height, round(image_width / ratio)), 1))
        try:
            return saliency_fit(image, size)
        except SmartCropError as error:  # a model that cannot run: sorl's own smart crop, not a blank
            logger.error("smartcrop: saliency crop failed, using sorl's entropy crop: %s", one_line(error))
            return super()._entropy_crop(image, geometry_width, geometry_height, image_width, image_height)
