"""Each thumbnail library's own smart crop against the same library with smartcrop, on OSIE, in one run.

    .venv/bin/python benchmarks/integrations_quality.py [--data ../shared/data]

For the 100 OSIE validation images and the ratios 16:9, 1:1, 4:5, 9:16 (the largest box of each, so no
library scales first), the share of the 15 observers' fixations inside the crop each one makes:
pilkit's ``SmartCrop`` (django-imagekit), easy-thumbnails' and sorl-thumbnail's ``crop="smart"``
(entropy), Wagtail's ``fill`` around its OpenCV focal point (faces, else features), and, with
smartcrop, ``fill`` around the saliency focal point and the exact saliency box (what ``SaliencyCrop``,
the easy-thumbnails processor, the sorl engine and ``smartfill`` cut). The library functions are
called as the libraries call them; each box is read from the image's last ``crop`` call.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Callable

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from django.conf import settings  # noqa: E402

settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "taggit", "modelcluster",
                                   "wagtail", "wagtail.images"],
                   STATIC_URL="/static/", CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})

import django  # noqa: E402

django.setup()

from crop_quality import RATIOS, collect, markdown, summarise  # noqa: E402
from methods import ours  # noqa: E402

import smartcrop_core  # noqa: E402
from smartcrop_core import largest_size, parse_ratio  # noqa: E402

Box = tuple[int, int, int, int]


def last_crop(cut: Callable[[Image.Image], object], image: Image.Image) -> Box:
    """The box of the last ``Image.crop`` a library function made (its final cut; earlier ones are probes)."""
    boxes = []
    original = Image.Image.crop

    def recording(self, box=None):
        boxes.append(box)
        return original(self, box)

    Image.Image.crop = recording
    try:
        cut(image)
    finally:
        Image.Image.crop = original
    left, top, right, bottom = (round(v) for v in boxes[-1])
    return left, top, right - left, bottom - top


def per_ratio(crop_for: Callable[[Image.Image, int, int], Box]) -> Callable[[str, list[str]], dict[str, Box]]:
    def decide(path: str, ratios: list[str]) -> dict[str, Box]:
        image = Image.open(path).convert("RGB")
        return {r: crop_for(image, *largest_size(image.width, image.height, parse_ratio(r))) for r in ratios}
    return decide


def pilkit(image: Image.Image, width: int, height: int) -> Box:
    from pilkit.processors import SmartCrop

    return last_crop(SmartCrop(width, height).process, image)


def easy_thumbnails(image: Image.Image, width: int, height: int) -> Box:
    from easy_thumbnails.processors import scale_and_crop

    return last_crop(lambda im: scale_and_crop(im, (width, height), crop="smart"), image)


def sorl(image: Image.Image, width: int, height: int) -> Box:
    from sorl.thumbnail.engines.pil_engine import Engine

    return last_crop(lambda im: Engine()._entropy_crop(im, width, height, *im.size), image)


class _WagtailImage:
    """What Wagtail's focal point and ``fill`` code read from an image model."""

    def __init__(self, path: str, focal=None) -> None:
        self.path, self.focal = path, focal

    def is_svg(self) -> bool:
        return False

    @contextlib.contextmanager
    def get_willow_image(self):
        import willow

        with open(self.path, "rb") as file:
            yield willow.Image.open(file)

    def get_focal_point(self):
        return self.focal


def wagtail_fill(focal_point: Callable[[str], object]) -> Callable[[str, list[str]], dict[str, Box]]:
    def decide(path: str, ratios: list[str]) -> dict[str, Box]:
        from wagtail.images.image_operations import FillOperation, ImageTransform

        image = Image.open(path)
        stub = _WagtailImage(path, focal_point(path))
        boxes = {}
        for ratio in ratios:
            width, height = largest_size(image.width, image.height, parse_ratio(ratio))
            rect = FillOperation("fill", f"{width}x{height}").run(ImageTransform(image.size), stub).get_rect()
            # clipped to the image, as the decoded crop is (Wagtail's rect can overhang by a rounding pixel)
            left, top = max(0, round(rect.left)), max(0, round(rect.top))
            right, bottom = min(image.width, round(rect.right)), min(image.height, round(rect.bottom))
            boxes[ratio] = (left, top, right - left, bottom - top)
        return boxes
    return decide


def opencv_focal_point(path: str):
    from wagtail.images.models import AbstractImage

    return AbstractImage.get_suggested_focal_point(_WagtailImage(path))


def saliency_focal_point(path: str):
    from django_smartcrop.integrations.wagtail import focal_rect

    return focal_rect(smartcrop_core.analyze(path, []))


DECIDERS = {
    "django-imagekit: pilkit SmartCrop (entropy)": per_ratio(pilkit),
    "easy-thumbnails: crop=\"smart\" (entropy)": per_ratio(easy_thumbnails),
    "sorl-thumbnail: crop=\"smart\" (entropy)": per_ratio(sorl),
    "Wagtail: fill, OpenCV focal point": wagtail_fill(opencv_focal_point),
    "Wagtail: fill, saliency focal point (SaliencyFocalPointMixin)": wagtail_fill(saliency_focal_point),
    "with smartcrop: SaliencyCrop / processor / engine / smartfill": ours,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    print(markdown(summarise(collect(args.data, DECIDERS, RATIOS))))


if __name__ == "__main__":
    main()
