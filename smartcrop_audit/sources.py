"""Decoding the audited images: safely (the core loader), small, and only a few at a time.

An audit may cover thousands of photos; only a working-size copy of the few most recently used ones is
kept (an LRU cache), so memory stays bounded whatever the folder size. Errors are the core's
ImageError with a one-line message, which the audit reports and counts.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from pathlib import Path

from PIL import Image

from smartcrop_core import ImageError, Source, flatten_alpha
from smartcrop_core import find_images


def images_outside(folder: Path, excluded: Path) -> list[Path]:
    """Image files under ``folder`` (sorted), leaving out a report folder placed inside it: a second
    run must not audit the first run's example pictures."""
    excluded = excluded.resolve()
    return [path for path, _ in find_images([str(folder)], _warn, _warn)
            if excluded not in path.resolve().parents]


def _warn(message: str) -> None:
    """An unreadable folder or a refused file under the audited folder: one line on stderr."""
    print(message, file=sys.stderr)


def check_header(path: Path, max_pixels: int | None = None) -> str | None:
    """None if the file looks like a usable image (header only: cheap), else a one-line reason."""
    try:
        Source(path, max_pixels).info()
    except ImageError as error:
        return str(error)
    return None


def load_small(path: Path, side: int, max_pixels: int | None = None) -> Image.Image:
    """Upright RGB copy whose shorter side is ``side`` (or less, if the image is smaller)."""
    image = flatten_alpha(Source(path, max_pixels).load(min_size=(side, side)))
    short = min(image.size)
    if short > side:
        scale = side / short
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.BILINEAR, reducing_gap=3.0)
    return image


class ImageCache:
    """The last ``capacity`` decoded images, keyed by path."""

    def __init__(self, side: int, max_pixels: int | None = None, capacity: int = 32) -> None:
        self.side = side
        self.max_pixels = max_pixels
        self.capacity = capacity
        self._images: OrderedDict[Path, Image.Image] = OrderedDict()

    def get(self, path: Path) -> Image.Image:
        """The working-size image; raises ImageError for a file that cannot be decoded."""
        image = self._images.get(path)
        if image is not None:
            self._images.move_to_end(path)
            return image
        image = load_small(path, self.side, self.max_pixels)
        self._images[path] = image
        if len(self._images) > self.capacity:
            self._images.popitem(last=False)
        return image
