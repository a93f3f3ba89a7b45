"""django-imagekit specs: ours (SaliencyCrop) and pilkit's own fill and smart crops, for comparison."""

import os

from imagekit import ImageSpec, register
from pilkit.processors import ResizeToFill, SmartCrop


def _spec(name: str, processors: list) -> None:
    register.generator(f"tests:{name}", type(name, (ImageSpec,), {"processors": processors, "format": "JPEG"}))


if os.environ.get("SMARTCROP_TEST_PLAIN") != "1":
    from django_smartcrop.integrations.imagekit import SaliencyCrop

    _spec("smart", [SaliencyCrop(200, 200)])
    _spec("small", [SaliencyCrop(100, 150)])
else:
    _spec("smart", [SmartCrop(200, 200)])
    _spec("small", [SmartCrop(100, 150)])
_spec("default", [ResizeToFill(200, 200)])
