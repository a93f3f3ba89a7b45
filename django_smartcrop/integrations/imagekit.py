"""django-imagekit: ``SaliencyCrop(width, height)``, a processor like pilkit's ``ResizeToFill``/``SmartCrop``.

    from django_smartcrop.integrations.imagekit import SaliencyCrop
    thumbnail = ImageSpecField(source="photo", processors=[SaliencyCrop(400, 400)], format="JPEG")

imagekit caches each generated file under the source's name and the spec's hash, so the processor
runs once per source and spec; the analysis is cached per source pixels, so specs of several sizes
share one model run. A bad file fails where imagekit opens it, before any processor runs.
"""

from __future__ import annotations

import logging

from PIL import Image
from pilkit.processors import ResizeToFill

from smartcrop_core import SmartCropError, one_line

from .cache import saliency_fit

logger = logging.getLogger(__name__)


class SaliencyCrop:
    """Scale and crop to exactly ``width`` x ``height``, the window placed by saliency.

    With ``upscale=False`` an image smaller than the target is cut at its own scale instead, as
    pilkit's ``ResizeToFill(upscale=False)`` does.
    """

    def __init__(self, width: int, height: int, upscale: bool = True) -> None:
        self.width, self.height, self.upscale = int(width), int(height), upscale

    def process(self, img: Image.Image) -> Image.Image:
        width, height = self.width, self.height
        factor = min(img.width / width, img.height / height)
        if not self.upscale and factor < 1:  # the target's ratio at the image's own scale
            width, height = max(1, round(width * factor)), max(1, round(height * factor))
        try:
            return saliency_fit(img, (width, height))
        except SmartCropError as error:  # a model that cannot run: pilkit's fill crop
            logger.error("smartcrop: saliency crop failed, using pilkit's ResizeToFill: %s", one_line(error))
            return ResizeToFill(width, height, upscale=self.upscale).process(img)
